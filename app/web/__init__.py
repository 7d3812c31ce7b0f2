"""Server-rendered pages: public pages (`pages`), the search page's view (`search`), moderation
(`admin`), posted forms (`forms`), templates and formatting."""
