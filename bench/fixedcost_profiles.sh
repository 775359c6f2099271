#!/usr/bin/env bash
# Issue 19's in-process profiles: the room feed's 304, the cached day and week grids, the
# booking POST (pending, approved on arrival, refused), with cProfile (function calls and
# database round trips a request: figures a loaded machine does not change).
#   ./bench/fixedcost_profiles.sh OUT_DIR DATABASE_URL FIRST_POST_DATE
# The database is a `flask bench-data` workload with approval off for salle-visio-14 and -15
# (as bench/runner.py sets it). Each run books its POST slots for good: give each run its own
# FIRST_POST_DATE (a weekday, weeks apart) or a fresh copy of the database.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=$1 DB=$2 FIRST=$3
mkdir -p "$OUT"
export DATABASE_URL=$DB PYTHONPATH=. MAIL_SERVER= PROFILE_TOOL=cprofile PROFILE_TOP=60
export INSTANCE_PATH="$OUT/instance" MAIL_OUTBOX_DIR="$OUT/outbox" APP_ENV=production
export SECRET_KEY=${SECRET_KEY:-profile-only-secret-key-profile-only-secret}
FEED=/feeds/resources/salle-visio-01.ics
ETAG=$(.venv/bin/python -c "from booking import create_app
print(create_app().test_client().get('$FEED').headers['ETag'])")
PROFILE_HEADERS="If-None-Match: $ETAG" .venv/bin/python bench/profile.py "$FEED" 1000 >"$OUT/feed304.txt" 2>&1
.venv/bin/python bench/profile.py "/calendar/day?date=2026-09-29&site=visio" 300 >"$OUT/day.txt" 2>&1
.venv/bin/python bench/profile.py "/calendar/resources/salle-visio-01/week?date=2026-09-29" 300 >"$OUT/week.txt" 2>&1
export PROFILE_LOGIN="bench@example.org:bench-password"
FORM="title=x&purpose=&attendees=4&visibility=private&association=&repeat=none&submit=1"
PENDING="salle-visio-02 salle-visio-03 salle-visio-04 salle-visio-05 salle-visio-06 salle-visio-07"
PENDING="$PENDING salle-visio-08 salle-visio-09 salle-visio-10 salle-visio-11 salle-visio-12 salle-visio-13"
PROFILE_POST=$FORM PROFILE_POST_SLOTS=$FIRST PROFILE_ROOMS=$PENDING \
  .venv/bin/python bench/profile.py "/reservations/new?resource=salle-visio-02" 100 >"$OUT/post.txt" 2>&1
PROFILE_POST=$FORM PROFILE_POST_SLOTS=$FIRST PROFILE_ROOMS="salle-visio-14 salle-visio-15" \
  .venv/bin/python bench/profile.py "/reservations/new?resource=salle-visio-14" 100 >"$OUT/post_open.txt" 2>&1
PROFILE_POST="resource=salle-visio-01&date=2027-03-02&start=09:00&end=10:00&$FORM" \
  .venv/bin/python bench/profile.py "/reservations/new?resource=salle-visio-01" 100 >"$OUT/conflict.txt" 2>&1
for f in "$OUT"/*.txt; do
  echo "== $(basename "$f")"
  grep -E "HTTP|requests:|cProfile:" "$f" | grep -v "^INFO" || true
done
