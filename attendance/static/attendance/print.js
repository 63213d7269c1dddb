// Printable attendance pages: show the Print button (progressive: without JavaScript, Ctrl+P works).
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
