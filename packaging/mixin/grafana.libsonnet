// A small builder for Grafana's dashboard JSON model (what Grafana exports;
// schemaVersion of Grafana 10/11), enough for this mixin's dashboards. The
// data source is the `datasource` template variable: no uid is hard-coded.
{
  local ds = { type: 'prometheus', uid: '${datasource}' },

  target(expr, legend='', refId='A'):: {
    datasource: ds,
    expr: expr,
    legendFormat: legend,
    range: true,
    refId: refId,
  },

  local targets(queries) = [
    $.target(q[0], q[1], std.char(std.codepoint('A') + i))
    for i in std.range(0, std.length(queries) - 1)
    for q in [queries[i]]
  ],

  // queries: [[expr, legend], ...]
  timeseries(title, description, queries, unit='short', w=12, h=8, stack=false, min=null):: {
    type: 'timeseries',
    title: title,
    description: description,
    datasource: ds,
    targets: targets(queries),
    fieldConfig: {
      defaults: {
        unit: unit,
        [if min != null then 'min']: min,
        custom: {
          drawStyle: 'line',
          lineWidth: 1,
          fillOpacity: if stack then 30 else 10,
          showPoints: 'never',
          spanNulls: false,
          stacking: { mode: if stack then 'normal' else 'none', group: 'A' },
        },
      },
      overrides: [],
    },
    options: {
      legend: { displayMode: 'list', placement: 'bottom', showLegend: true },
      tooltip: { mode: 'multi', sort: 'desc' },
    },
    gridPos: { w: w, h: h },
  },

  stat(title, description, expr, unit='short', w=4, h=4, thresholds=null):: {
    type: 'stat',
    title: title,
    description: description,
    datasource: ds,
    targets: [$.target(expr) + { instant: true, range: false }],
    fieldConfig: {
      defaults: {
        unit: unit,
        color: { mode: 'thresholds' },
        thresholds: if thresholds != null then thresholds else {
          mode: 'absolute',
          steps: [{ color: 'green', value: null }],
        },
      },
      overrides: [],
    },
    options: {
      reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
      colorMode: 'value',
      graphMode: 'area',
      textMode: 'auto',
      justifyMode: 'auto',
      orientation: 'auto',
    },
    gridPos: { w: w, h: h },
  },

  // One row per value of `key` (e.g. instance), one column per query:
  // columns: [[expr, column name, unit], ...], each expr `... by (key)`.
  // keyLink: a URL for the key column (Grafana's ${__data.fields.KEY}).
  table(title, description, key, columns, keyLink=null, w=24, h=8):: {
    local refs = [std.char(std.codepoint('A') + i) for i in std.range(0, std.length(columns) - 1)],
    type: 'table',
    title: title,
    description: description,
    datasource: ds,
    targets: [
      $.target(columns[i][0], '', refs[i]) + { format: 'table', instant: true, range: false }
      for i in std.range(0, std.length(columns) - 1)
    ],
    transformations: [
      { id: 'merge', options: {} },
      {
        id: 'organize',
        options: {
          excludeByName: { Time: true },
          indexByName: { [key]: 0 } + { ['Value #' + refs[i]]: i + 1 for i in std.range(0, std.length(columns) - 1) },
          renameByName: { ['Value #' + refs[i]]: columns[i][1] for i in std.range(0, std.length(columns) - 1) },
        },
      },
    ],
    fieldConfig: {
      defaults: { custom: { align: 'auto', cellOptions: { type: 'auto' } } },
      overrides: [
        { matcher: { id: 'byName', options: c[1] }, properties: [{ id: 'unit', value: c[2] }] }
        for c in columns
      ] + (if keyLink == null then [] else [{
             matcher: { id: 'byName', options: key },
             properties: [{ id: 'links', value: [{ title: keyLink.title, url: keyLink.url }] }],
           }]),
    },
    options: { showHeader: true, cellHeight: 'sm', footer: { show: false, reducer: ['sum'], fields: '' } },
    gridPos: { w: w, h: h },
  },

  row(title):: {
    type: 'row',
    title: title,
    collapsed: false,
    panels: [],
    gridPos: { w: 24, h: 1 },
  },

  // Gives each panel an id and a place: left to right, a new line when the
  // next one does not fit in Grafana's 24 columns (a row always starts one).
  layout(panels)::
    // The accumulator is an array [x, y, line height, placed panels]: its
    // elements are evaluated once (an object's fields would be re-evaluated
    // on each access, exponentially along the fold).
    local place(acc, p) =
      local starts = p.type == 'row' || acc[0] + p.gridPos.w > 24;
      local x = if starts then 0 else acc[0];
      local y = if starts then acc[1] + acc[2] else acc[1];
      [
        x + p.gridPos.w,
        y,
        if starts then p.gridPos.h else std.max(acc[2], p.gridPos.h),
        acc[3] + [p { id: std.length(acc[3]) + 1, gridPos+: { x: x, y: y } }],
      ];
    std.foldl(place, panels, [0, 0, 0, []])[3],

  datasourceVariable:: {
    name: 'datasource',
    label: 'Data source',
    type: 'datasource',
    query: 'prometheus',
    current: {},
    hide: 0,
    refresh: 1,
    regex: '',
    options: [],
  },

  queryVariable(name, label, query, multi=false, includeAll=false):: {
    name: name,
    label: label,
    type: 'query',
    datasource: ds,
    definition: query,
    query: { query: query, refId: 'PrometheusVariableQueryEditor-VariableQuery' },
    current: {},
    hide: 0,
    refresh: 2,
    regex: '',
    sort: 1,
    multi: multi,
    includeAll: includeAll,
    [if includeAll then 'allValue']: '.+',
    options: [],
  },

  dashboard(cfg, uid, title, description, variables, panels, links=[]):: {
    uid: uid,
    title: title,
    description: description,
    tags: cfg.dashboardTags,
    editable: true,
    graphTooltip: 1,
    refresh: cfg.dashboardRefresh,
    schemaVersion: 39,
    version: 1,
    timezone: cfg.dashboardTimezone,
    time: { from: cfg.dashboardTimeFrom, to: 'now' },
    timepicker: {},
    fiscalYearStartMonth: 0,
    liveNow: false,
    annotations: {
      list: [{
        builtIn: 1,
        datasource: { type: 'grafana', uid: '-- Grafana --' },
        enable: true,
        hide: true,
        iconColor: 'rgba(0, 211, 255, 1)',
        name: 'Annotations & Alerts',
        type: 'dashboard',
      }],
    },
    links: links,
    templating: { list: variables },
    panels: $.layout(panels),
  },
}
