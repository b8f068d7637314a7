'use strict';

// A minimal browser for sign-in pages: a cookie jar, no automatic redirects, and HTML forms
// submitted with their hidden fields (the platform's authorization pages carry an antiforgery
// token and the authorization request in them).

class CookieJar {
  constructor() {
    this.cookies = new Map();
  }

  async fetch(url, init = {}) {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('Cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const index = pair.indexOf('=');
      this.cookies.set(pair.slice(0, index).trim(), pair.slice(index + 1));
    }
    return response;
  }
}

const decode = (s) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>')
  .replace(/&#(\d+);/g, (m, n) => String.fromCharCode(Number(n))).replace(/&#x([0-9a-f]+);/gi, (m, n) => String.fromCharCode(parseInt(n, 16)))
  .replace(/&amp;/g, '&');

/** Submits the form with the given id on the page at pageUrl, with its hidden fields and `fields`. */
const submitForm = async (jar, pageUrl, html, formId, fields) => {
  const form = new RegExp(`<form[^>]*action="([^"]+)"[^>]*id="${formId}"[^>]*>([\\s\\S]*?)</form>`).exec(html);
  if (!form) throw new Error(`no form #${formId} on ${pageUrl}`);
  const body = new URLSearchParams();
  for (const input of form[2].matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) body.set(decode(input[1]), decode(input[2]));
  for (const [name, value] of Object.entries(fields)) body.set(name, value);
  return jar.fetch(new URL(decode(form[1]), pageUrl), { method: 'POST', body, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
};

/**
 * A member signs in on the platform's authorization page and allows the app: answers the redirect
 * back to the app (its callback URL with the code and state).
 */
const signInAndAllow = async (authorizeUrl, { organisation, email, password }) => {
  const jar = new CookieJar();
  let response = await jar.fetch(authorizeUrl);
  if (response.status !== 200) throw new Error(`authorize: ${response.status} ${await response.text()}`);
  response = await submitForm(jar, authorizeUrl, await response.text(), 'sign-in', { organisation, email, password });
  if (response.status !== 303) throw new Error(`sign-in: ${response.status}`);
  const consentUrl = new URL(response.headers.get('location'), authorizeUrl);
  response = await jar.fetch(consentUrl);
  response = await submitForm(jar, consentUrl, await response.text(), 'consent', { decision: 'allow' });
  if (response.status !== 303) throw new Error(`consent: ${response.status}`);
  return response.headers.get('location');
};

module.exports = { CookieJar, signInAndAllow };
