// Header menus are <details name="nav"> (one open at a time without script); this only closes an open menu when
// the user clicks elsewhere or presses Escape, as people expect of a menu.
document.addEventListener("click", (event) => {
  document.querySelectorAll("header.top details.menu[open]").forEach((menu) => {
    if (!menu.contains(event.target)) menu.removeAttribute("open");
  });
});
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  document.querySelectorAll("header.top details.menu[open]").forEach((menu) => menu.removeAttribute("open"));
});
