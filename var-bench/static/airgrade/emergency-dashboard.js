// Charts of the emergency dashboard, from the JSON the page carries in #chart-data (no inline script: CSP).
(function () {
  var data = JSON.parse(document.getElementById("chart-data").textContent);
  var levels = Object.keys(data.levels);
  var series = [{name: "基数", type: "bar", data: data.base, itemStyle: {color: "#9aa7b5"}}];
  var colours = {yellow: "#e6b800", orange: "#f08c00", red: "#d0312d"};
  levels.forEach(function (level) {
    series.push({name: data.levels[level].label + "减排量", type: "bar", data: data.levels[level].reduction, itemStyle: {color: colours[level]}});
    series.push({name: data.levels[level].label + "要求", type: "scatter", symbol: "diamond", symbolSize: 12, data: data.levels[level].required, itemStyle: {color: colours[level], borderColor: "#222"}});
  });
  var levelsChart = echarts.init(document.getElementById("chart-levels"));
  levelsChart.setOption({tooltip: {trigger: "axis"}, legend: {type: "scroll"}, xAxis: {type: "category", data: data.pollutants}, yAxis: {type: "value", name: "t/d"}, series: series});
  var citySeries = data.pollutants.map(function (p) { return {name: p, type: "bar", data: data.city_shares[p]}; });
  // One dashed line per distinct required share (the rule book's, overlays applied), named by its pollutants.
  var byShare = {};
  data.pollutants.forEach(function (p) { (byShare[data.required_percent[p]] = byShare[data.required_percent[p]] || []).push(p); });
  var shares = Object.keys(byShare);
  shares.forEach(function (share) {
    var names = byShare[share];
    var label = shares.length === 1 ? "要求 {c}%" : names.join("、") + " 要求 {c}%";
    citySeries[data.pollutants.indexOf(names[0])].markLine = {symbol: "none", data: [{yAxis: Number(share)}], lineStyle: {color: "#d0312d", type: "dashed"}, label: {formatter: label}};
  });
  // Per city only where there are several cities (the province); a city's own breakdown is by county below.
  var citiesBox = document.getElementById("chart-cities");
  var citiesChart = citiesBox ? echarts.init(citiesBox) : null;
  if (citiesChart) citiesChart.setOption({tooltip: {trigger: "axis"}, legend: {}, xAxis: {type: "category", data: data.cities}, yAxis: {type: "value", name: "%"}, series: citySeries});
  // One level down: a city by county, the province by city (stacked cut per pollutant, achieved share in the tooltip).
  var partsChart = echarts.init(document.getElementById("chart-parts"));
  partsChart.setOption({
    tooltip: {trigger: "axis"}, legend: {}, grid: {left: 50, right: 20, bottom: 80},
    xAxis: {type: "category", data: data.parts, axisLabel: {interval: 0, rotate: data.parts.length > 6 ? 35 : 0}},
    yAxis: {type: "value", name: "t/d"},
    series: data.pollutants.map(function (p) { return {name: p, type: "bar", stack: "cut", data: data.part_reduction[p]}; })
  });
  window.airgradeCharts = [levelsChart, citiesChart, partsChart].filter(Boolean);
  window.addEventListener("resize", function () { window.airgradeCharts.forEach(function (c) { c.resize(); }); });
})();
