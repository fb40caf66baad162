"""The NemoVideo backend client: `client.NemoClient` (the API), `user.NemoUser` (one user, with
the recovery rules).

    errors.py      the exception tree (drawn in its docstring)
    models.py      pydantic models of every answer
    sse.py         the SSE decoder, turn events, the visible text of a turn
    http.py        the wire: one httpx.AsyncClient, retries, every answer mapped to the tree
    multipart.py   streamed uploads (files checked by content and size first)
    client.py      NemoClient: every call of shared/spec/nemo-api.md, the token passed in
    user.py        NemoUser, Credentials, the CredentialStore protocol

File types are sniffed by `common.filetype`.
"""
