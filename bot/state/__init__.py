"""Redis state (see `store` for the overview).

    store.py       Store: the parts below on one client; connect, ping, credentials(user_key)
    users.py       Users        jobs.py    Jobs         leases.py  Leases (delivery leases)
    locks.py       Locks (turn locks, on Leases)        updates.py Updates (de-duplication, albums)
    cancels.py     Cancels (the /cancel pub/sub channel)
    credentials.py StoreCredentials: a user's backend credentials as a CredentialStore
    models.py      UserRecord, JobRecord and their hash encodings    keys.py  every key name
    base.py, lua.py, errors.py, connect.py (REDIS_URL forms), crypto.py (tokens at rest)
"""
