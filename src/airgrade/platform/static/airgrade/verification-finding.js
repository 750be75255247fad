// Evidence chart of one cross-check finding: the month's hourly series with the limit or floor and the runs found
// (no inline script: CSP).
(function () {
  var data = JSON.parse(document.getElementById("chart-data").textContent);
  var box = document.getElementById("finding-chart");
  if (!box || !data.values) return;
  var series = {
    name: data.label_zh, type: data.type === "bar" ? "bar" : "line", data: data.values, symbol: "none",
    connectNulls: false, itemStyle: {color: "#2f6690"}, lineStyle: {color: "#2f6690", width: 1}
  };
  if (data.limit !== undefined && data.limit !== null) {
    series.markLine = {symbol: "none", lineStyle: {color: "#d0312d", type: "dashed"}, label: {formatter: (data.limit_label || "限值") + " " + data.limit, position: "insideEndTop"},
      data: [{yAxis: data.limit}]};
  }
  if (data.areas && data.areas.length) {
    series.markArea = {itemStyle: {color: "rgba(240,140,0,0.18)"},
      data: data.areas.map(function (a) { return [{xAxis: a[0]}, {xAxis: a[1]}]; })};
  }
  if (data.alert_from !== undefined && data.hours.length > data.alert_from) {
    series.markArea = {itemStyle: {color: "rgba(240,140,0,0.18)"},
      data: [[{name: "预警期间", xAxis: data.hours[data.alert_from]}, {xAxis: data.hours[data.hours.length - 1]}]]};
  }
  echarts.init(box).setOption({
    title: {text: data.label_zh + "（" + data.unit + "）", left: 0, top: 0, textStyle: {fontSize: 13}},
    tooltip: {trigger: "axis"}, grid: {left: 50, right: 20, top: 40, bottom: 60},
    dataZoom: [{type: "inside"}, {type: "slider", height: 18, bottom: 8}],
    xAxis: {type: "category", data: data.hours, axisLabel: {fontSize: 10}},
    yAxis: {type: "value"},
    series: [series]
  });
})();
