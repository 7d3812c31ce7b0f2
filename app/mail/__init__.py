"""Mail to submitters and practices' contacts, never lost.

A change that should be told by mail queues a `MailMessage` row in its own transaction
(`outbox.queue`). Senders take due rows, render them (`compose`, Russian Jinja templates in
`templates/`), hand them to a transport (`transport`: SMTP, or `.eml` files under
`DATA_DIR/mail/` without SMTP) and mark them sent (`sender`). The sync worker
(`practices sync --follow`) sends them; the embedded setup sends them in process after each
commit and on a timer (`background`).
"""
