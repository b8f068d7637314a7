// Progressive enhancement of the console's server-rendered pages (ADR 0019): everything works
// without this script. It asks before destructive forms (data-confirm) and shows the Test webhook
// result inline, polling the delivery until its first attempt is known.
"use strict";

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
    return;
  }
  if (form.dataset.inlineResult) {
    event.preventDefault();
    sendInline(form, document.getElementById(form.dataset.inlineResult));
  }
});

async function sendInline(form, target) {
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    const response = await fetch(form.action, {
      method: "POST",
      body: new URLSearchParams(new FormData(form)),
      headers: { "X-Console-Fragment": "1" },
      credentials: "same-origin",
    });
    target.innerHTML = await response.text();
    await poll(target);
  } catch (error) {
    target.textContent = "The request failed: " + error.message;
  } finally {
    button.disabled = false;
  }
}

async function poll(target) {
  for (let i = 0; i < 60; i++) {
    const pending = target.querySelector("[data-poll]");
    if (!pending) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
    const response = await fetch(pending.dataset.poll, { credentials: "same-origin" });
    if (!response.ok) return;
    target.innerHTML = await response.text();
  }
}
