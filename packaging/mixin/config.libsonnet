// The mixin's settings. Override any of them from your own jsonnet:
//   (import 'packaging/mixin/mixin.libsonnet') + { _config+:: { uwsgiSelector: 'job="shop"' } }
{
  _config+:: {
    // Selects the series the exporter (uwsgitop --serve-metrics, or
    // uwsgi_exporter) produces. Every alert and rule adds it to each series.
    uwsgiSelector: 'job="uwsgi"',

    // Labels an alert and a recording rule keep apart: one alert per
    // instance of uWSGI (the `instance` label the exporter sets on each
    // sample, kept by `honor_labels: true`).
    groupLabels: 'job, instance',

    // Window of the rate()s and increase()s in the recording rules and the
    // rate-based alerts; it also names the recorded series (uwsgi:...:rate5m).
    rateWindow: '5m',

    // How long a condition must hold before its alert fires.
    uwsgiDownFor: '5m',
    exporterDownFor: '5m',
    listenQueueFillingFor: '5m',
    listenQueueFullFor: '2m',
    workersSaturatedFor: '10m',
    noWorkerAcceptingFor: '5m',
    respawnsFor: '5m',
    exceptionRateFor: '10m',
    memoryGrowthFor: '15m',
    scrapeSlowFor: '10m',

    // Thresholds.
    listenQueueFillingRatio: 0.8,  // socket queue / its max queue (uWSGI --listen)
    workersSaturatedRatio: 0.9,  // share of an instance's workers busy (1 = all of them)
    respawnWindow: '10m',  // respawns counted over this window...
    respawnsPerWorker: 3,  // ...alert above this many per worker in it
    harakiriWindow: '10m',  // any harakiri in this window alerts
    listenQueueErrorsWindow: '10m',  // any refused connection in this window alerts
    exceptionRatio: 0.05,  // exceptions per request
    exceptionMinRPS: 0.1,  // ignore instances quieter than this (requests/s)
    memoryLimitBytes: 1024 * 1024 * 1024,  // a worker's RSS predicted above this alerts...
    memoryPredictWindow: '1h',  // ...extrapolated from this much history...
    memoryPredictHorizonSeconds: 4 * 3600,  // ...this far ahead
    // Scrapes of the exporter taking this long on average (over rateWindow)
    // alert: 80% of Prometheus' default scrape_timeout (10s). Set it from
    // your job's scrape_timeout.
    scrapeSlowSeconds: 8,

    // Severity label of each alert.
    severities: {
      UwsgiDown: 'critical',
      UwsgiExporterDown: 'critical',
      UwsgiListenQueueFilling: 'warning',
      UwsgiListenQueueFull: 'critical',
      UwsgiListenQueueErrors: 'warning',
      UwsgiWorkersSaturated: 'warning',
      UwsgiNoWorkerAccepting: 'critical',
      UwsgiRespawnStorm: 'warning',
      UwsgiHarakiri: 'warning',
      UwsgiHighExceptionRate: 'warning',
      UwsgiMemoryGrowth: 'warning',
      UwsgiScrapeSlow: 'warning',
    },

    // runbook_url = runbookURLPrefix + the alert's name in lower case (the
    // anchor of its section in docs/runbook.md). Point it at your copy.
    runbookURLPrefix: 'https://uwsgitop.invalid/docs/runbook.md#',

    // Dashboards.
    dashboardTags: ['uwsgi', 'uwsgitop'],
    dashboardRefresh: '30s',
    dashboardTimeFrom: 'now-3h',
    dashboardTimezone: 'browser',
    dashboardUIDPrefix: 'uwsgi',
  },
}
