# Sourced by bin/raftkv, bin/test and .ci/run: picks a JDK 21+ and exports JAVA_HOME and PATH.
# Order: $JAVA_HOME if it is 21+, else the newest 21+ under /usr/lib/jvm, else a clear error.

raftkv_java_major() { # prints the major version of the java binary $1, or 0
  "$1" -XshowSettings:properties -version 2>&1 |
    awk -F'= ' '/java.specification.version/ {split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]); found=1}
                END {if (!found) print 0}'
}

raftkv_find_jdk() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ] &&
     [ "$(raftkv_java_major "$JAVA_HOME/bin/java")" -ge 21 ]; then
    echo "$JAVA_HOME"; return 0
  fi
  local best="" best_major=0 dir major
  for dir in /usr/lib/jvm/*/; do
    dir=${dir%/}
    [ -x "$dir/bin/javac" ] && [ ! -L "$dir" ] || continue
    major=$(raftkv_java_major "$dir/bin/java")
    if [ "$major" -ge 21 ] && [ "$major" -gt "$best_major" ]; then best=$dir; best_major=$major; fi
  done
  [ -n "$best" ] || return 1
  echo "$best"
}

raftkv_use_jdk() {
  local jdk
  if ! jdk=$(raftkv_find_jdk); then
    echo "raftkv: no JDK 21 or newer found (JAVA_HOME='${JAVA_HOME:-}', nothing 21+ under /usr/lib/jvm)." >&2
    echo "raftkv: install one, e.g. 'apt-get install openjdk-21-jdk-headless' (or Temurin 21+)," >&2
    echo "raftkv: or point JAVA_HOME at it." >&2
    return 1
  fi
  export JAVA_HOME=$jdk
  export PATH="$JAVA_HOME/bin:$PATH"
}
