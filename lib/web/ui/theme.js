/* theme.js - loaded in <head> before the page paints: applies the theme the
 * user chose (app.js saves it) so a reload never flashes the other one.
 * Without a saved choice the stylesheet follows prefers-color-scheme. */
(function () {
	"use strict";
	try {
		var t = window.localStorage.getItem("comradarr-theme");
		if (t === "dark" || t === "light")
			document.documentElement.setAttribute("data-theme", t);
	} catch (e) { /* storage disabled: the system preference applies */ }
}());
