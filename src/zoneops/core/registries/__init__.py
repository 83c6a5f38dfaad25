"""What apps plug into core from their ``AppConfig.ready()`` (core imports no app): dashboard
panels and pack sections (``panels``), tabs on another app's detail page (``detail_panels``),
tick jobs (``ticks``), approved periods (``periods``), background work (``background``), each
model's write service (``writes``), and the apps' optional modules found by name
(``app_modules``). Figures on the zone tree are registered in ``zones.figures``.
"""
