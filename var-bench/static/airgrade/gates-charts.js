// Charts of a site's gate ledger, from the JSON the page carries in #chart-data (no inline script: CSP).
(function () {
  var data = JSON.parse(document.getElementById("chart-data").textContent);
  var daily = echarts.init(document.getElementById("chart-daily"));
  daily.setOption({
    tooltip: {trigger: "axis"}, grid: {left: 45, right: 15, top: 20, bottom: 40},
    xAxis: {type: "category", data: data.days}, yAxis: {type: "value", name: "车次"},
    dataZoom: [{type: "inside"}], series: [{name: "进厂车次", type: "bar", data: data.counts, itemStyle: {color: "#2f6fb3"}}]
  });
  var stages = echarts.init(document.getElementById("chart-stages"));
  stages.setOption({
    tooltip: {trigger: "item", formatter: "{b}：{c} 车次（{d}%）"}, legend: {bottom: 0, type: "scroll"},
    series: [{type: "pie", radius: ["35%", "65%"], data: data.stages, label: {formatter: "{b} {d}%"}}]
  });
  window.airgradeCharts = [daily, stages];
  window.addEventListener("resize", function () { window.airgradeCharts.forEach(function (c) { c.resize(); }); });
})();
