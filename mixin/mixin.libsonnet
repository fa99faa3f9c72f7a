// uWSGI monitoring mixin: alerts, recording rules and Grafana dashboards for
// the metrics uwsgitop --serve-metrics exports (uwsgi_exporter's names).
//
//   prometheusAlerts   {groups: [...]}  -> prometheus_alerts.yaml
//   prometheusRules    {groups: [...]}  -> prometheus_rules.yaml
//   grafanaDashboards  {'file.json': dashboard} -> dashboards_out/
//
// Settings: config.libsonnet (_config); override with `+ { _config+:: {...} }`.
(import 'config.libsonnet') +
(import 'alerts/alerts.libsonnet') +
(import 'rules/rules.libsonnet') +
(import 'dashboards/dashboards.libsonnet')
