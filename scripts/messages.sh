#!/usr/bin/env bash
# Extract an area's strings and update its French catalog.
#   core     -> translations/            (base layout, macros, errors, home)
#   <area>   -> booking/<area>/translations/  (booking/<area>/ and templates/<area>/)
set -euo pipefail
cd "$(dirname "$0")/.."
area="$1"
bin=.venv/bin
if [ "$area" = core ]; then
  out=translations
  sources=(booking/*.py booking/core templates/base.html templates/_macros templates/errors templates/core)
else
  out="booking/$area/translations"
  sources=("booking/$area")
  [ -d "templates/$area" ] && sources+=("templates/$area")
  # The open-data pages are the statistics area's (booking/stats/opendata.py).
  [ "$area" = stats ] && sources+=(templates/opendata)
  [ -d "templates/emails/$area" ] && sources+=("templates/emails/$area")
fi
mkdir -p "$out"
"$bin/pybabel" -q extract -F babel.cfg -k _l -k lazy_gettext -o "$out/messages.pot" "${sources[@]}"
if [ -f "$out/fr/LC_MESSAGES/messages.po" ]; then
  "$bin/pybabel" -q update -N -i "$out/messages.pot" -d "$out" -l fr
else
  "$bin/pybabel" -q init -i "$out/messages.pot" -d "$out" -l fr
fi
echo "Catalog to translate: $out/fr/LC_MESSAGES/messages.po"
