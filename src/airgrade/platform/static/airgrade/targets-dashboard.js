// Charts of the targets dashboard, from the JSON the page carries in #targets-chart (no inline script: CSP).
(function () {
  var data = JSON.parse(document.getElementById("targets-chart").textContent);
  var charts = [];
  var narrow = window.innerWidth < 600;
  function init(id) {
    var box = document.getElementById(id);
    if (!box) return null;
    var chart = echarts.init(box);
    charts.push(chart);
    return chart;
  }
  function rotate(labels) { return narrow ? 60 : labels.length > 6 ? 40 : 0; }
  var marker = narrow ? [10, 3] : [22, 4];
  var parts = init("chart-parts");
  if (parts) {
    var series = [
      {name: "当前占比", type: "bar", data: data.share, itemStyle: {color: "#1565c0"}},
      {name: "在审办结后", type: "bar", data: data.projected, itemStyle: {color: "#90caf9"}},
      {name: "目标", type: "scatter", symbol: "rect", symbolSize: marker, data: data.target, itemStyle: {color: "#d0312d"}, z: 10}
    ];
    if (data.target.every(function (t) { return t === null; }) && data.reference_target !== null) {
      series[0].markLine = {symbol: "none", data: [{yAxis: data.reference_target}], lineStyle: {color: "#d0312d", type: "dashed"}, label: {formatter: "目标 {c}%", position: "insideEndTop"}};
    }
    parts.setOption({
      tooltip: {trigger: "axis"}, legend: {top: 0}, grid: {left: 45, right: 15, top: 40, bottom: 90},
      xAxis: {type: "category", data: data.parts, axisLabel: {interval: 0, rotate: rotate(data.parts), fontSize: narrow ? 10 : 12}},
      yAxis: {type: "value", name: "%"}, series: series
    });
  }
  var families = init("chart-families");
  if (families) {
    families.setOption({
      tooltip: {trigger: "axis"}, legend: {top: 0}, grid: {left: 45, right: 15, top: 40, bottom: 40},
      xAxis: {type: "category", data: data.families},
      yAxis: {type: "value", name: "%"},
      series: [
        {name: "基准占比", type: "bar", data: data.family_baseline, itemStyle: {color: "#9aa7b5"}},
        {name: "当前占比", type: "bar", data: data.family_share, itemStyle: {color: "#1565c0"}},
        {name: "在审办结后", type: "bar", data: data.family_projected, itemStyle: {color: "#90caf9"}},
        {name: "目标", type: "scatter", symbol: "rect", symbolSize: marker, data: data.family_target, itemStyle: {color: "#d0312d"}, z: 10}
      ]
    });
  }
  var mix = init("chart-mix");
  if (mix) {
    mix.setOption({
      tooltip: {trigger: "axis"}, legend: {type: "scroll", top: 0}, grid: {left: 55, right: 15, top: 40, bottom: 90},
      xAxis: {type: "category", data: data.parts, axisLabel: {interval: 0, rotate: rotate(data.parts), fontSize: narrow ? 10 : 12}},
      yAxis: {type: "value", name: "企业数"},
      series: data.grades.map(function (g) {
        return {name: data.grade_labels[g] || g, type: "bar", stack: "mix", data: data.mix[g], itemStyle: {color: data.grade_colours[g]}};
      })
    });
  }
  // The month ends come from the API apart: counted once per process, they may take a while the first time.
  var historyBox = document.getElementById("chart-history");
  if (historyBox) {
    fetch(historyBox.getAttribute("data-url"), {credentials: "same-origin"})
      .then(function (response) { if (!response.ok) throw new Error(response.status); return response.json(); })
      .then(function (points) {
        historyBox.textContent = "";
        var history = init("chart-history");
        history.setOption({
          tooltip: {trigger: "axis"}, legend: {top: 0}, grid: {left: 45, right: 45, top: 40, bottom: 40},
          xAxis: {type: "category", data: points.map(function (p) { return p.date; })},
          yAxis: [{type: "value", name: "%"}, {type: "value", name: "D 级", minInterval: 1}],
          series: [
            {name: "A、B 级占比", type: "line", data: points.map(function (p) { return p.share_percent; }), itemStyle: {color: "#1565c0"}},
            {name: "D 级企业数", type: "bar", yAxisIndex: 1, data: points.map(function (p) { return p.d_count; }), itemStyle: {color: "#c62828"}}
          ]
        });
        historyBox.setAttribute("data-drawn", "1");
      })
      .catch(function () { historyBox.textContent = "逐月数据暂不可用，请稍后刷新。"; });
  }
  window.airgradeCharts = charts;
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
