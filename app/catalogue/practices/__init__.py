"""The practice domain: its fields (`fields`), what crosses the wire (`schemas`), what may happen
to a practice (`service`: the writes), how practices are read (`queries`), the JSON Lines
format (`io`), the HTML form (`forms`), addresses (`slugs`) and load-test data (`synthetic`)."""
