// uWSGI monitoring mixin: alerts, recording rules and Grafana dashboards for
// the metrics uwsgitop --serve-metrics exports (uwsgi_exporter's names).
//
//   prometheusAlerts   {groups: [...]}  -> alerts.yaml
//   prometheusRules    {groups: [...]}  -> rules.yaml
//   grafanaDashboards  {'file.json': dashboard} -> dashboards/
//
// Settings: config.libsonnet (_config); override with `+ { _config+:: {...} }`.
(import 'config.libsonnet') +
(import 'alerts.libsonnet') +
(import 'rules.libsonnet') +
(import 'dashboards.libsonnet')
