"""The privacy notice residents accept at sign-up (PIPL Art. 14, 17). Its text is the template
portal/privacy.html; this module holds what a deployment tunes and the version that consent records.

Change the text (or these numbers) → raise NOTICE_VERSION: every account is asked to accept the new notice
before it reports again.
"""

NOTICE_VERSION = "2026-1"

# How long records are kept. Case records follow the local archive rules for petitions and 12345 work orders
# (commonly 10 years); set the number your archive office gives.
CASE_RECORD_YEARS = 10
# Login codes and the abuse guard's counters are deleted after these many days.
LOGIN_CODE_DAYS = 1
THROTTLE_DAYS = 2
# How soon a request to see, correct or delete one's data is answered.
ANSWER_WORKING_DAYS = 15
