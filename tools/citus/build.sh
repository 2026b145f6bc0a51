#!/usr/bin/env bash
# Build and install Citus for the local PostgreSQL 15 from a checkout of github.com/citusdata/citus.
# Citus is not in Debian's or PyPI's registries, so CI cannot install it; run this by hand.
#   tools/citus/build.sh /path/to/citus   (tag v13.2.2 supports PostgreSQL 15)
set -euo pipefail
src="${1:?usage: build.sh CITUS_SOURCE_DIR}"
apt-get install -y -q postgresql-server-dev-15 liblz4-dev libzstd-dev libkrb5-dev >/dev/null
cd "$src"
# PostgreSQL 15.19+ exports have_createdb_privilege itself; Citus' own copy then clashes with it.
python3 - <<'PY'
from pathlib import Path
p = Path("src/include/pg_version_compat.h")
s = p.read_text()
start = s.find("static inline bool\nhave_createdb_privilege(void)\n{")
if start >= 0:
    end = s.index("\n}\n", start) + 3
    p.write_text(s[:start] + s[end:])
PY
./configure --without-libcurl >/dev/null
make -j"$(nproc)" >/dev/null
make install >/dev/null
echo "citus installed into $(pg_config --pkglibdir)"
