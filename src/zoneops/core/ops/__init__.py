"""Running the installation: backups and restore (``backup``), start-up checks (``checks``), demo
data from the seed articles (``demo``) and synthetic data for benchmarks (``generate``). The
management commands stay in ``core/management`` where Django finds them.
"""
