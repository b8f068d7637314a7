# Needs API_URL and API_KEY. Walks every page of invoice.paid events, oldest first, two at a time.
import json, os, urllib.parse, urllib.request

API_URL, API_KEY = os.environ["API_URL"], os.environ["API_KEY"]

def events(**query):
    cursor = None
    while True:
        params = urllib.parse.urlencode({**query, **({"cursor": cursor} if cursor else {})})
        request = urllib.request.Request(f"{API_URL}/api/v1/events?{params}", headers={"Authorization": f"Bearer {API_KEY}"})
        with urllib.request.urlopen(request) as response:
            page = json.load(response)
        yield from page["data"]
        if not page["has_more"]:
            return
        cursor = page["next_cursor"]

found = list(events(event_type="invoice.paid", sort="timestamp:asc", limit=2, fields="id,timestamp"))
for event in found:
    print(event["id"], event["timestamp"])
assert found
