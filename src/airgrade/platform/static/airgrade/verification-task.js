// Evidence charts of one enterprise: hourly values around the alert against the baseline band (no inline script: CSP).
(function () {
  var data = JSON.parse(document.getElementById("chart-data").textContent);
  var holder = document.getElementById("evidence-charts");
  if (!holder || !data.signals) return;
  var start = data.window[0].slice(5, 13) + ":00", end = data.window[1].slice(5, 13) + ":00";
  Object.keys(data.signals).forEach(function (key) {
    var s = data.signals[key];
    var box = document.createElement("div");
    box.style.height = "300px";
    holder.appendChild(box);
    var band = s.high.map(function (h, i) { return h === null || s.low[i] === null ? null : h - s.low[i]; });
    echarts.init(box).setOption({
      title: {text: s.label_zh + "（" + s.unit + "）", left: 0, top: 0, textStyle: {fontSize: 13}},
      tooltip: {trigger: "axis"}, legend: {right: 0, top: 0, data: ["实测", "基准均值"]}, grid: {left: 50, right: 10, top: 50, bottom: 40},
      xAxis: {type: "category", data: s.hours, axisLabel: {fontSize: 10}},
      yAxis: {type: "value"},
      series: [
        {name: "基准下沿", type: "line", data: s.low, stack: "band", symbol: "none", lineStyle: {opacity: 0}, tooltip: {show: false}},
        {name: "基准带", type: "line", data: band, stack: "band", symbol: "none", lineStyle: {opacity: 0}, areaStyle: {color: "#c9d6e3"}, tooltip: {show: false}},
        {name: "基准均值", type: "line", data: s.baseline, symbol: "none", itemStyle: {color: "#6b7c8f"}, lineStyle: {type: "dashed", color: "#6b7c8f"}},
        {name: "实测", type: "line", data: s.observed, symbol: "none", connectNulls: false, itemStyle: {color: "#d0312d"}, lineStyle: {color: "#d0312d"},
         markArea: {itemStyle: {color: "rgba(240,140,0,0.12)"}, data: [[{name: "预警期间", xAxis: start}, {xAxis: end}]]}}
      ]
    });
  });
})();
