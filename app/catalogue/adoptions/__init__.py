"""«Мы внедрили эту практику»: adoption reports from other municipalities. What may be given
(`schemas`), the HTML form (`forms`), what may happen (`service`: report, approve, reject) and
how they are read (`queries`). An approved adoption is part of its practice's public card."""
