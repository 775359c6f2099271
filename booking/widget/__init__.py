"""The embeddable availability widget: a page partners' sites show in an iframe."""
