#!/usr/bin/env bash
# Validates every file of a Make app definition (default: integrations/make) against the schema Make's
# VS Code extension associates with it (its package.json "jsonValidation", vendored in
# integrations/make/schemas), with ajv-cli. A file that no schema covers is an error too.
# Prints one "ok"/"not ok" line per file; exits non-zero when any is invalid.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
APP="${1:-../../integrations/make}"
SCHEMAS="$(cd ../../integrations/make/schemas && pwd)"

schema_of() {
  case "$1" in
    */makecomapp.json) echo makecomapp.schema.json ;;
    */general/base.iml.json) echo base.json ;;
    */general/common.json) echo common.json ;;
    */modules/groups.json) echo groups.json ;;
    *.oauth-communication.iml.json) echo api-oauth.json ;;
    *.communication.iml.json | *.attach.iml.json | *.detach.iml.json) echo api.json ;;
    *.params.iml.json | *.static-params.iml.json | *.mappable-params.iml.json | *.interface.iml.json) echo parameters.json ;;
    *.samples.iml.json) echo samples.json ;;
    *.scope-list.iml.json) echo scopes.json ;;
    *.default-scope.iml.json | *.required-scope.iml.json | *.scope.iml.json) echo scope.json ;;
    *) return 1 ;;
  esac
}

# One ajv-cli run per schema, over all the files it covers (a run per file costs a second each).
declare -A covered
bad=0
while IFS= read -r file; do
  if schema="$(schema_of "$file")"; then
    covered[$schema]+=" $file"
  else
    echo "not ok - ${file#"$APP"/}: no Make schema covers this file"; bad=$((bad + 1))
  fi
done < <(find "$APP" -type f -name '*.json' -not -path '*/schemas/*' -not -path '*/node_modules/*' | sort)

for schema in "${!covered[@]}"; do
  args=()
  for file in ${covered[$schema]}; do args+=(-d "$file"); done
  out="$(node_modules/.bin/ajv validate --spec=draft7 --allow-union-types --all-errors --errors=text \
    -c ajv-formats -c ./make-schemas.js -s "$SCHEMAS/$schema" "${args[@]}" 2>&1)"
  while IFS= read -r line; do
    case "$line" in
      *" valid") echo "ok - ${line% valid} ($schema)" ;;
      *" invalid") echo "not ok - ${line% invalid} ($schema)"; bad=$((bad + 1)) ;;
      "strict mode:"*) ;;
      *) echo "# $line" ;;
    esac
  done <<<"$out"
  grep -qE ' (in)?valid$' <<<"$out" || { echo "not ok - $schema: ajv did not run"; bad=$((bad + 1)); }
done
((bad == 0))
