/* Checklists that remember: each ticked box is kept in this browser's local storage (nothing leaves the
 * device). A box's key is its list's key (client/contact/list, written by the generator) plus the item's
 * own key, a hash of the item's text: a rebuild keeps the tick wherever the item is unchanged.
 * Plain script, no library; mkdocs-material's instant loading is off, so this runs on every page load. */
(function () {
  "use strict";

  var PREFIX = "workbook:";

  function storage() {
    try {
      var store = window.localStorage;
      store.getItem(PREFIX + "probe");
      return store;
    } catch (error) {
      return null; /* storage switched off: the boxes still tick, they are just not remembered */
    }
  }

  function setUp(list, store) {
    var listKey = PREFIX + list.getAttribute("data-checklist") + ":";
    var boxes = Array.prototype.slice.call(list.querySelectorAll("input[type=checkbox][data-item]"));
    boxes.forEach(function (box) {
      var key = listKey + box.getAttribute("data-item");
      box.checked = store.getItem(key) === "1";
      box.addEventListener("change", function () {
        if (box.checked) {
          store.setItem(key, "1");
        } else {
          store.removeItem(key);
        }
      });
    });
    var reset = list.querySelector(".workbook-checklist__reset");
    if (reset) {
      reset.hidden = false;
      reset.addEventListener("click", function () {
        boxes.forEach(function (box) {
          box.checked = false;
          store.removeItem(listKey + box.getAttribute("data-item"));
        });
      });
    }
  }

  function start() {
    var store = storage();
    if (!store) {
      return;
    }
    Array.prototype.forEach.call(document.querySelectorAll("[data-checklist]"), function (list) {
      setUp(list, store);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
