"""Open data and operations over HTTP: the JSON API (`v1`), feeds and exports (`feeds`), the
widget (`embed`), documentation (`docs`, `about`), health (`health`); parameters (`params`),
responses and caching (`responses`) and CORS (`cors`) shared by them."""
