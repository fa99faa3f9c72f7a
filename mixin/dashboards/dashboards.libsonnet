// Grafana dashboards: uwsgi-overview.json (every instance of a job) and
// uwsgi-instance.json (one instance, per worker and per socket).
local g = import 'grafana.libsonnet';

{
  local cfg = $._config,
  // The job and instance the viewer picked; $__rate_interval is Grafana's
  // window for rate() (at least four scrapes).
  local sel = 'job=~"$job", instance=~"$instance"',
  local ri = '$__rate_interval',
  local jobVar = g.queryVariable('job', 'Job', 'label_values(uwsgi_up, job)'),

  local overview = g.dashboard(
    cfg,
    cfg.dashboardUIDPrefix + '-overview',
    'uWSGI / Overview',
    'Every uWSGI instance of a job, as uwsgitop --serve-metrics exports them.',
    [
      g.datasourceVariable,
      jobVar,
      g.queryVariable('instance', 'Instance', 'label_values(uwsgi_up{job=~"$job"}, instance)', multi=true, includeAll=true),
    ],
    [
      g.row('Instances'),
      g.stat('Instances up', 'Instances whose stats server answers (uwsgi_up == 1).',
             'sum(uwsgi_up{%s})' % sel),
      g.stat('Instances down', 'Instances whose stats server does not answer (uwsgi_up == 0).',
             'count(uwsgi_up{%s} == 0) or vector(0)' % sel,
             thresholds={ mode: 'absolute', steps: [{ color: 'green', value: null }, { color: 'red', value: 1 }] }),
      g.stat('Requests/s', 'Requests served per second, all selected instances.',
             'sum(rate(uwsgi_worker_requests_total{%s}[%s]))' % [sel, ri], unit='reqps'),
      g.stat('Busy workers', 'Share of workers in a request.',
             'sum(uwsgi_worker_busy{%s}) / count(uwsgi_worker_busy{%s})' % [sel, sel], unit='percentunit',
             thresholds={ mode: 'absolute', steps: [{ color: 'green', value: null }, { color: 'orange', value: 0.8 }, { color: 'red', value: 1 }] }),
      g.stat('Listen queue', 'Connections waiting in the listen queues, all selected instances.',
             'sum(uwsgi_listen_queue_length{%s})' % sel),
      g.stat('Worker RSS', 'Resident memory of all workers (uWSGI reports it with --memory-report).',
             'sum(uwsgi_worker_rss_bytes{%s})' % sel, unit='bytes'),

      g.table(
        'Instances', 'One row per instance; the name opens its uWSGI / Instance dashboard.', 'instance',
        [
          ['max by (instance) (uwsgi_up{%s})' % sel, 'Up', 'short'],
          ['sum by (instance) (rate(uwsgi_worker_requests_total{%s}[%s]))' % [sel, ri], 'Requests/s', 'reqps'],
          ['sum by (instance) (uwsgi_worker_busy{%s}) / count by (instance) (uwsgi_worker_busy{%s})' % [sel, sel], 'Busy', 'percentunit'],
          ['max by (instance) (uwsgi_listen_queue_length{%s})' % sel, 'Listen queue', 'short'],
          ['sum by (instance) (increase(uwsgi_worker_respawn_count_total{%s}[%s]))' % [sel, ri], 'Respawns', 'short'],
          ['sum by (instance) (uwsgi_worker_rss_bytes{%s})' % sel, 'RSS', 'bytes'],
        ],
        keyLink={
          title: 'uWSGI / Instance',
          url: '/d/%s-instance?${__url_time_range}&${datasource:queryparam}&${job:queryparam}&var-instance=${__data.fields.instance}' % cfg.dashboardUIDPrefix,
        },
      ),

      g.row('Traffic'),
      g.timeseries('Up', 'uwsgi_up per instance: 1 when its stats server answers.',
                   [['uwsgi_up{%s}' % sel, '{{instance}}']], min=0),
      g.timeseries('Requests/s', 'Requests served per second.',
                   [['sum by (instance) (rate(uwsgi_worker_requests_total{%s}[%s]))' % [sel, ri], '{{instance}}']], unit='reqps', min=0),
      g.timeseries('Mean request time', 'Time spent in requests divided by requests served, over the window (not uWSGI\'s smoothed avg_rt).',
                   [['sum by (instance) (rate(uwsgi_worker_running_time_seconds{%s}[%s]))\n/ (sum by (instance) (rate(uwsgi_worker_requests_total{%s}[%s])) > 0)' % [sel, ri, sel, ri], '{{instance}}']], unit='s', min=0),
      g.timeseries('Exceptions/s', 'Exceptions raised by the application per second.',
                   [['sum by (instance) (rate(uwsgi_worker_exceptions_total{%s}[%s]))' % [sel, ri], '{{instance}}']], unit='short', min=0),

      g.row('Workers'),
      g.timeseries('Busy workers', 'Workers in a request, per instance.',
                   [['sum by (instance) (uwsgi_worker_busy{%s})' % sel, '{{instance}} busy']], min=0),
      g.timeseries('Idle workers', 'Workers waiting for a request, per instance.',
                   [['sum by (instance) (uwsgi_worker_idle{%s})' % sel, '{{instance}} idle']], min=0),
      g.timeseries('Busy share', 'Busy workers / all workers: at 100% new requests wait in the listen queue.',
                   [['sum by (instance) (uwsgi_worker_busy{%s}) / count by (instance) (uwsgi_worker_busy{%s})' % [sel, sel], '{{instance}}']], unit='percentunit', min=0),
      g.timeseries('Worker RSS', 'Resident memory of the workers, per instance.',
                   [['sum by (instance) (uwsgi_worker_rss_bytes{%s})' % sel, '{{instance}}']], unit='bytes', min=0),

      g.row('Queues and failures'),
      g.timeseries('Listen queue', 'Connections waiting to be accepted, and each socket\'s queue against its max (--listen).',
                   [
                     ['uwsgi_listen_queue_length{%s}' % sel, '{{instance}}'],
                     ['uwsgi_socket_queue_length{%s}' % sel, '{{instance}} {{name}}'],
                     ['uwsgi_socket_max_queue_length{%s}' % sel, '{{instance}} {{name}} max'],
                   ], min=0),
      g.timeseries('Listen queue errors', 'Connections refused because a listen queue was full.',
                   [['sum by (instance) (increase(uwsgi_listen_queue_errors{%s}[%s]))' % [sel, ri], '{{instance}}']], min=0),
      g.timeseries('Respawns', 'Workers respawned (crash, max-requests, reload-on-rss, harakiri, kill).',
                   [['sum by (instance) (increase(uwsgi_worker_respawn_count_total{%s}[%s]))' % [sel, ri], '{{instance}}']], min=0),
      g.timeseries('Harakiri', 'Workers killed by harakiri (a request over the harakiri timeout).',
                   [['sum by (instance) (increase(uwsgi_worker_harakiri_count_total{%s}[%s]))' % [sel, ri], '{{instance}}']], min=0),
    ],
    links=[{
      title: 'uWSGI / Instance',
      type: 'link',
      url: '/d/%s-instance?${__url_time_range}&${datasource:queryparam}&${job:queryparam}' % cfg.dashboardUIDPrefix,
      icon: 'dashboard',
      targetBlank: false,
      keepTime: true,
      includeVars: false,
      asDropdown: false,
      tags: [],
      tooltip: 'Per worker',
    }],
  ),

  // One instance: the instance variable is single-valued.
  local isel = 'job=~"$job", instance=~"$instance"',
  local instance = g.dashboard(
    cfg,
    cfg.dashboardUIDPrefix + '-instance',
    'uWSGI / Instance',
    'One uWSGI instance, per worker and per socket.',
    [
      g.datasourceVariable,
      jobVar,
      g.queryVariable('instance', 'Instance', 'label_values(uwsgi_up{job=~"$job"}, instance)'),
    ],
    [
      g.row('Workers'),
      g.timeseries('Requests/s per worker', 'Requests served per second by each worker.',
                   [['sum by (worker_id) (rate(uwsgi_worker_requests_total{%s}[%s]))' % [isel, ri], 'worker {{worker_id}}']], unit='reqps', min=0, stack=true),
      g.timeseries('Worker status', 'Busy, idle and cheap workers.',
                   [
                     ['sum(uwsgi_worker_busy{%s})' % isel, 'busy'],
                     ['sum(uwsgi_worker_idle{%s})' % isel, 'idle'],
                     ['sum(uwsgi_worker_cheap{%s})' % isel, 'cheap'],
                   ], min=0, stack=true),
      g.timeseries('Busy per worker', '1 while the worker is in a request.',
                   [['max by (worker_id) (uwsgi_worker_busy{%s})' % isel, 'worker {{worker_id}}']], min=0, stack=true),
      g.timeseries('Mean request time per worker', 'Time in requests / requests over the window, per worker.',
                   [['sum by (worker_id) (rate(uwsgi_worker_running_time_seconds{%s}[%s]))\n/ (sum by (worker_id) (rate(uwsgi_worker_requests_total{%s}[%s])) > 0)' % [isel, ri, isel, ri], 'worker {{worker_id}}']], unit='s', min=0),
      g.timeseries('RSS per worker', 'Resident memory of each worker (--memory-report).',
                   [['sum by (worker_id) (uwsgi_worker_rss_bytes{%s})' % isel, 'worker {{worker_id}}']], unit='bytes', min=0),
      g.timeseries('Respawns and harakiri per worker', 'Respawns and harakiri of each worker over the window.',
                   [
                     ['sum by (worker_id) (increase(uwsgi_worker_respawn_count_total{%s}[%s]))' % [isel, ri], 'worker {{worker_id}} respawns'],
                     ['sum by (worker_id) (increase(uwsgi_worker_harakiri_count_total{%s}[%s]))' % [isel, ri], 'worker {{worker_id}} harakiri'],
                   ], min=0),
      g.timeseries('Exceptions/s per worker', 'Exceptions raised per second by each worker.',
                   [['sum by (worker_id) (rate(uwsgi_worker_exceptions_total{%s}[%s]))' % [isel, ri], 'worker {{worker_id}}']], min=0),

      g.row('Sockets'),
      g.timeseries('Socket queues', 'Each socket\'s listen queue and its max.',
                   [
                     ['uwsgi_socket_queue_length{%s}' % isel, '{{name}}'],
                     ['uwsgi_socket_max_queue_length{%s}' % isel, '{{name}} max'],
                   ], min=0),
      g.timeseries('Listen queue errors', 'Connections refused because the listen queue was full.',
                   [['sum(increase(uwsgi_listen_queue_errors{%s}[%s]))' % [isel, ri], 'refused']], min=0),
    ],
    links=[{
      title: 'uWSGI / Overview',
      type: 'link',
      url: '/d/%s-overview?${__url_time_range}&${datasource:queryparam}&${job:queryparam}' % cfg.dashboardUIDPrefix,
      icon: 'dashboard',
      targetBlank: false,
      keepTime: true,
      includeVars: false,
      asDropdown: false,
      tags: [],
      tooltip: 'Every instance',
    }],
  ),

  grafanaDashboards+:: {
    'uwsgi-overview.json': overview,
    'uwsgi-instance.json': instance,
  },
}
