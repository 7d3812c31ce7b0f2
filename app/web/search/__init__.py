"""What the search page shows: facets, chips and links (`view`), hits (`hits`), and ways out of an
empty result (`suggestions`)."""
