# Needs API_URL and API_KEY. Walks every page of invoice.paid events, oldest first, two at a time.
URL="$API_URL/api/v1/events?event_type=invoice.paid&sort=timestamp:asc&limit=2&fields=id,timestamp"
CURSOR=""
while :; do
  PAGE=$(curl -sf "$URL${CURSOR:+&cursor=$CURSOR}" -H "Authorization: Bearer $API_KEY")
  echo "$PAGE" | jq -c '.data[]'
  [ "$(echo "$PAGE" | jq -r .has_more)" = "true" ] || break
  CURSOR=$(echo "$PAGE" | jq -r .next_cursor)
done
