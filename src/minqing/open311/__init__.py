"""Open311 GeoReport v2 (issue 4 §3): other systems read a community's published concerns and post new ones.

The specification is in /work/shared/open311/ (GeoReport v2, its Swagger file, Service Discovery, the
common extensions) plus mySociety's GET servicerequestupdates. Decisions taken here:

Jurisdictions and services
- A `Jurisdiction` is one community (Area of kind community) with its own `jurisdiction_id`, the categories
  it offers as services (`services`, chosen by its admins) and a default grid. The endpoint serves several
  communities, so `jurisdiction_id` is required (400 without, 404 unknown), except while exactly one
  jurisdiction is active, as the spec allows.
- One service per offered category: `service_code` = Category.code, `service_name` = its name, `group` =
  its domain, `keywords` = its words, `type` = realtime (POST answers with the case reference at once; no
  tokens: GET tokens/{token} answers 404). `metadata` is true when the category has `ServiceAttribute`s,
  the questions of its service definition, defined per category (Django admin) and validated on POST
  (required, datatype, list keys; answers to unknown questions are ignored).

Clients and keys
- A `Client` holds a name, the jurisdictions it may post to, and the SHA-256 of its key (keys are 256-bit
  random, so no slow hash is needed; the key is shown once when issued). Community admins and street
  officers issue and revoke keys on /open311/v2/manage/ (`Cap.MANAGE_DIRECTORY` over each community);
  revoking needs that right over every community of the client. `ensure_demo_client()` issues
  MINQING_DEMO_OPEN311_KEY to a demo client (`manage.py open311_demo_key`).
- POST needs a valid, active key allowed in the jurisdiction (403 otherwise), read from the form body or
  the query string (the Swagger file puts it in the query).

A posted request becomes a case (actions.submit_request → cases.actions.intake_case)
- Channel Open311, status registered, the client's name on the timeline; staff route it like any other.
- Place: `address_id` = a building code in the community (unknown → 400); else lat/long → the nearest
  building with coordinates in the community within 100 m; else the default grid with `address_string` as
  the case's address. lat/long are stored on the case.
- first_name/last_name and phone (checked by core.identity) become the Reporter. email, device_id and
  account_id are not kept: nothing in Minqing would use them (PIPL: collect no more than needed).
- `media_url` is kept on the `Submission` and shown to staff on the timeline, never fetched; answers to the
  service's questions too.

What GET publishes (selectors.public_cases, api._request)
- The cases of the community whose category it offers, and those posted to it through Open311; never a
  report of wrongdoing (举报). Newest first (the spec gives no order); by default the last 90 days, at most
  90 days wide, first 1000; `page`/`page_size` (at most 1000) page through them.
- status: closed = Status.CLOSED, every other state open. status_notes: the last note meant for the
  reporter (the handler's answer, the closing or referral note) unless reopened since, never an internal
  note; a merged duplicate says which case it joined. agency_responsible: the handling organisation, else
  the community. expected_datetime: the running time limit (due_at). updated_datetime: the close time when
  closed, else the last change.
- Never personal data: no reporter field, and the place is the case's down to the building (its address or
  name, its code as address_id, its coordinates), never a household's room. The description is published
  only for requests that came in through Open311: staff write the other cases' descriptions from what
  residents told them, with names and rooms.
- `extensions=true` adds `extended_attributes` (channel, urgent, the answers) and `notes` (the public
  steps). GET servicerequestupdates lists those public steps across requests.
- Constant queries per page: the cases with their category, organisation, building and submission in one
  query, their public notes in one more.

Formats (formats.py): XML and JSON from one structure; fields without a value are left out of both (the
Swagger file types them non-null); errors are the spec's `errors` document with HTTP 400/403/404.
"""
