// Recording rules: per-instance series (the groupLabels) that dashboards and
// ad-hoc queries can read cheaply. Names: uwsgi:<what>:<operation><window>.
{
  local cfg = $._config,
  local sel = cfg.uwsgiSelector,
  local by = 'by (%s)' % cfg.groupLabels,
  local w = cfg.rateWindow,
  local rateOf(metric) = 'sum %s (rate(%s{%s}[%s]))' % [by, metric, sel, w],

  prometheusRules+:: {
    groups+: [
      {
        name: 'uwsgi.rules',
        rules: [
          {
            record: 'uwsgi:requests:rate' + w,
            expr: rateOf('uwsgi_worker_requests_total'),
          },
          {
            record: 'uwsgi:exceptions:rate' + w,
            expr: rateOf('uwsgi_worker_exceptions_total'),
          },
          {
            // Exceptions per request; no sample while the instance serves nothing.
            record: 'uwsgi:exceptions_per_request:ratio_rate' + w,
            expr: '%s\n/ (%s > 0)' % [rateOf('uwsgi_worker_exceptions_total'), rateOf('uwsgi_worker_requests_total')],
          },
          {
            record: 'uwsgi:respawns:rate' + w,
            expr: rateOf('uwsgi_worker_respawn_count_total'),
          },
          {
            record: 'uwsgi:harakiri:rate' + w,
            expr: rateOf('uwsgi_worker_harakiri_count_total'),
          },
          {
            // Mean time a request took over the window (seconds spent in
            // requests / requests served): what uWSGI's smoothed avg_rt hides.
            record: 'uwsgi:request_duration_seconds:mean' + w,
            expr: '%s\n/ (%s > 0)' % [rateOf('uwsgi_worker_running_time_seconds'), rateOf('uwsgi_worker_requests_total')],
          },
          {
            record: 'uwsgi:workers_busy:ratio',
            expr: 'sum %(by)s (uwsgi_worker_busy{%(sel)s})\n/ count %(by)s (uwsgi_worker_busy{%(sel)s})' % { by: by, sel: sel },
          },
          {
            record: 'uwsgi:workers_busy:sum',
            expr: 'sum %s (uwsgi_worker_busy{%s})' % [by, sel],
          },
          {
            record: 'uwsgi:worker_rss_bytes:sum',
            expr: 'sum %s (uwsgi_worker_rss_bytes{%s})' % [by, sel],
          },
          {
            // The fullest socket's listen queue, as a share of its max queue.
            record: 'uwsgi:socket_queue:max_ratio',
            expr: 'max %(by)s (\n  uwsgi_socket_queue_length{%(sel)s}\n  / (uwsgi_socket_max_queue_length{%(sel)s} > 0)\n)' % { by: by, sel: sel },
          },
        ],
      },
    ],
  },
}
