// Alerts on what uwsgitop --serve-metrics (and uwsgi_exporter) export.
// Every alert: one per instance (the groupLabels), a severity label,
// summary, description (naming the instance and the value) and runbook_url.
{
  local cfg = $._config,
  local sel = cfg.uwsgiSelector,
  local by = 'by (%s)' % cfg.groupLabels,

  local alert(name, expr, forDuration, summary, description, extraLabels={}) = {
    alert: name,
    expr: expr,
    [if forDuration != null then 'for']: forDuration,
    labels: { severity: cfg.severities[name] } + extraLabels,
    annotations: {
      summary: summary,
      description: description,
      runbook_url: cfg.runbookURLPrefix + std.asciiLower(name),
    },
  },

  prometheusAlerts+:: {
    groups+: [
      {
        name: 'uwsgi-availability',
        rules: [
          alert(
            'UwsgiDown',
            'uwsgi_up{%s} == 0' % sel,
            cfg.uwsgiDownFor,
            'uWSGI stats server does not answer.',
            'The exporter has not read the stats server of uWSGI instance {{ $labels.instance }} ({{ $labels.stats_uri }}) for %s: the instance is down, hung, or its stats socket is gone.' % cfg.uwsgiDownFor,
          ),
          alert(
            'UwsgiExporterDown',
            'up{%s} == 0' % sel,
            cfg.exporterDownFor,
            'Prometheus cannot scrape the uWSGI exporter.',
            'Prometheus has failed to scrape the uWSGI exporter at {{ $labels.instance }} for %s: none of the instances behind it are monitored.' % cfg.exporterDownFor,
          ),
          alert(
            'UwsgiScrapeSlow',
            'avg_over_time(scrape_duration_seconds{%s}[%s]) > %g' % [sel, cfg.rateWindow, cfg.scrapeSlowSeconds],
            cfg.scrapeSlowFor,
            'Scrapes of the uWSGI exporter are close to the scrape timeout.',
            'Scraping the uWSGI exporter at {{ $labels.instance }} takes {{ $value | humanizeDuration }} on average (threshold %gs): instances that answer later than the deadline are reported down.' % cfg.scrapeSlowSeconds,
          ),
          alert(
            'UwsgiNoWorkerAccepting',
            |||
              sum %(by)s (uwsgi_worker_accepting{%(sel)s}) == 0
              and on (%(labels)s) sum %(by)s (uwsgi_up{%(sel)s}) > 0
            ||| % { by: by, sel: sel, labels: cfg.groupLabels },
            cfg.noWorkerAcceptingFor,
            'No uWSGI worker accepts requests.',
            'uWSGI instance {{ $labels.instance }} answers its stats server but none of its workers has accepted requests for %s (all paused, cheap, reloading or failing to load the app).' % cfg.noWorkerAcceptingFor,
          ),
        ],
      },
      {
        name: 'uwsgi-saturation',
        rules: [
          alert(
            'UwsgiListenQueueFilling',
            |||
              max %(by)s (
                uwsgi_socket_queue_length{%(sel)s}
                / (uwsgi_socket_max_queue_length{%(sel)s} > 0)
              ) >= %(ratio)g
            ||| % { by: by, sel: sel, ratio: cfg.listenQueueFillingRatio },
            cfg.listenQueueFillingFor,
            'uWSGI listen queue is filling up.',
            'A socket of uWSGI instance {{ $labels.instance }} has its listen queue {{ $value | humanizePercentage }} full for %s: requests wait for a free worker.' % cfg.listenQueueFillingFor,
          ),
          alert(
            'UwsgiListenQueueFull',
            |||
              max %(by)s (
                uwsgi_socket_queue_length{%(sel)s}
                / (uwsgi_socket_max_queue_length{%(sel)s} > 0)
              ) >= 1
            ||| % { by: by, sel: sel },
            cfg.listenQueueFullFor,
            'uWSGI listen queue is full.',
            'A socket of uWSGI instance {{ $labels.instance }} has had its listen queue full ({{ $value | humanizePercentage }}) for %s: new connections are being refused or dropped by the kernel.' % cfg.listenQueueFullFor,
          ),
          alert(
            'UwsgiListenQueueErrors',
            'sum %s (increase(uwsgi_listen_queue_errors{%s}[%s])) > 0' % [by, sel, cfg.listenQueueErrorsWindow],
            null,
            'uWSGI refused connections: its listen queue overflowed.',
            'uWSGI instance {{ $labels.instance }} counted {{ $value | humanize }} listen queue errors in the last %s: clients were refused.' % cfg.listenQueueErrorsWindow,
          ),
          alert(
            'UwsgiWorkersSaturated',
            |||
              sum %(by)s (uwsgi_worker_busy{%(sel)s})
              / count %(by)s (uwsgi_worker_busy{%(sel)s}) >= %(ratio)g
            ||| % { by: by, sel: sel, ratio: cfg.workersSaturatedRatio },
            cfg.workersSaturatedFor,
            'uWSGI workers are saturated.',
            '{{ $value | humanizePercentage }} of the workers of uWSGI instance {{ $labels.instance }} have been busy for %s (threshold %g%%): new requests soon queue in the listen queue.' % [cfg.workersSaturatedFor, cfg.workersSaturatedRatio * 100],
          ),
        ],
      },
      {
        name: 'uwsgi-errors',
        rules: [
          alert(
            'UwsgiRespawnStorm',
            |||
              sum %(by)s (increase(uwsgi_worker_respawn_count_total{%(sel)s}[%(window)s]))
              / count %(by)s (uwsgi_worker_respawn_count_total{%(sel)s}) > %(threshold)g
            ||| % { by: by, sel: sel, window: cfg.respawnWindow, threshold: cfg.respawnsPerWorker },
            cfg.respawnsFor,
            'uWSGI workers keep respawning.',
            'Workers of uWSGI instance {{ $labels.instance }} respawned {{ $value | humanize }} times each in the last %s (threshold %g): they crash, hit a limit (max-requests, reload-on-rss, harakiri) or are killed.' % [cfg.respawnWindow, cfg.respawnsPerWorker],
          ),
          alert(
            'UwsgiHarakiri',
            'sum %s (increase(uwsgi_worker_harakiri_count_total{%s}[%s])) > 0' % [by, sel, cfg.harakiriWindow],
            null,
            'uWSGI killed a worker stuck in a request (harakiri).',
            'uWSGI instance {{ $labels.instance }} had {{ $value | humanize }} harakiri in the last %s: a request ran longer than the harakiri timeout and its worker was killed.' % cfg.harakiriWindow,
          ),
          alert(
            'UwsgiHighExceptionRate',
            |||
              sum %(by)s (rate(uwsgi_worker_exceptions_total{%(sel)s}[%(window)s]))
              / (sum %(by)s (rate(uwsgi_worker_requests_total{%(sel)s}[%(window)s])) > %(minRPS)g)
              > %(ratio)g
            ||| % { by: by, sel: sel, window: cfg.rateWindow, minRPS: cfg.exceptionMinRPS, ratio: cfg.exceptionRatio },
            cfg.exceptionRateFor,
            'uWSGI application raises exceptions on many requests.',
            'uWSGI instance {{ $labels.instance }} raised an exception on {{ $value | humanizePercentage }} of its requests over the last %s (threshold %g%%).' % [cfg.rateWindow, cfg.exceptionRatio * 100],
          ),
          alert(
            'UwsgiMemoryGrowth',
            |||
              max %(by)s (
                predict_linear(uwsgi_worker_rss_bytes{%(sel)s}[%(window)s], %(horizon)s)
              ) > %(limit)s
            ||| % { by: by, sel: sel, window: cfg.memoryPredictWindow, horizon: cfg.memoryPredictHorizonSeconds, limit: cfg.memoryLimitBytes },
            cfg.memoryGrowthFor,
            'A uWSGI worker is on course to exceed its memory limit.',
            'A worker of uWSGI instance {{ $labels.instance }} will reach {{ $value | humanize1024 }}B of RSS within %s at its current growth (limit %s): a leak, or a cache without bound.' % [std.format('%gh', cfg.memoryPredictHorizonSeconds / 3600), std.format('%gMiB', cfg.memoryLimitBytes / 1048576)],
          ),
        ],
      },
    ],
  },
}
