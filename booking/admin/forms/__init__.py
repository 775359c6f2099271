"""Administration forms, one module per object; `common` holds what they share.

They check shapes and numbers; the services check the rules.
"""
