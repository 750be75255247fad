// Charts of the alert verification page, from #chart-data (no inline script: CSP).
(function () {
  var data = JSON.parse(document.getElementById("chart-data").textContent);
  var box = document.getElementById("chart-enterprises");
  if (box) {
    echarts.init(box).setOption({
      tooltip: {trigger: "axis"}, legend: {top: 0}, grid: {left: 45, right: 10, top: 40, bottom: 90},
      xAxis: {type: "category", data: data.names, axisLabel: {rotate: 40, interval: 0, fontSize: 10}},
      yAxis: {type: "value", name: "%"},
      series: [
        {name: "应降", type: "bar", data: data.expected, itemStyle: {color: "#9aa7b5"}},
        {name: "实降", type: "bar", data: data.observed, itemStyle: {color: "#2f6fb0"}}
      ]
    });
  }
  var region = document.getElementById("chart-region");
  if (region) {
    echarts.init(region).setOption({
      tooltip: {trigger: "axis"}, legend: {top: 0}, grid: {left: 45, right: 10, top: 40, bottom: 30},
      xAxis: {type: "category", data: data.pollutants}, yAxis: {type: "value", name: "%"},
      series: [
        {name: "实际削减", type: "bar", data: data.region_cut, itemStyle: {color: "#2f6fb0"}},
        {name: "区域要求", type: "scatter", symbol: "diamond", symbolSize: 14, data: data.required, itemStyle: {color: "#d0312d"}}
      ]
    });
  }
  window.addEventListener("resize", function () {
    document.querySelectorAll("[_echarts_instance_]").forEach(function (el) { echarts.getInstanceByDom(el).resize(); });
  });
})();
