"""Reading users from an Okta org through its management API.

``connection`` checks the org URL, ``auth`` holds the credentials (API token
or OAuth service app with DPoP), ``limits`` paces requests by Okta's
rate-limit headers, ``client`` sends requests, follows pages and turns
failures into one clear sentence, ``export`` chooses the users and builds the
users table, and ``commands`` is the ``okta2hrmos export`` command.
"""
