// Browser tests of the web app: Debian chromium driven by playwright-core, checked with axe-core.
// Run by scripts/browser-test, which builds Kadence, starts a demo on a free port and passes
// KADENCE_URL and the demo logins in KADENCE_LOGINS ("user:password,...").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';

const base = process.env.KADENCE_URL;
const logins = Object.fromEntries((process.env.KADENCE_LOGINS || '').split(',').filter(Boolean).map(s => s.split(':')));
const shots = process.env.KADENCE_SCREENSHOTS || 'screenshots';
mkdirSync(shots, { recursive: true });

async function browser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

async function login(page, user) {
  await page.goto(`${base}/login`);
  await page.getByLabel('Brugernavn').fill(user);
  await page.getByLabel('Adgangskode').fill(logins[user]);
  await Promise.all([
    page.waitForURL(url => url.pathname !== '/login'),
    page.getByRole('button', { name: 'Log ind' }).click(),
  ]);
}

async function checkA11y(page, name) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const problems = results.violations.map(v => `${v.id} (${v.impact}): ${v.help} - ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')}`);
  assert.deepEqual(problems, [], `axe-core on ${name}`);
}

test('pages render, are accessible, and work without JavaScript', async () => {
  assert.ok(base, 'KADENCE_URL is set');
  const b = await browser();
  try {
    // The login page, before anyone logs in.
    const anonCtx = await b.newContext();
    const anon = await anonCtx.newPage();
    await anon.goto(`${base}/login`);
    await anon.screenshot({ path: `${shots}/login.png`, fullPage: true });
    await checkA11y(anon, 'login');

    for (const [user, paths] of [
      ['sagsbehandler', ['/mine', '/laegeoplysninger', '/jobafklaring', '/tidlig-indsats', '/fokusmaal', '/fokusmaal?opdelt=sagsbehandler']],
      ['teamleder', ['/team', '/laegeoplysninger', '/jobafklaring', '/team?visning=overblik1', '/team?visning=overblik2', '/team?visning=overblik2-kan', '/team?visning=overblik2-tabt', '/team?visning=foerste', '/team?visning=laege', '/team?visning=lae265', '/team?visning=ikkefordelt', '/tidlig-indsats', '/udvalg']],
      ['analytiker', ['/fokusmaal', '/fokusmaal?maal=tidlig&definition=intern', '/fokusmaal?maal=foerste&opdelt=team', '/fokusmaal?maal=fokus2&opdelt=sagsbehandler', '/fokusmaal?maal=foerste&opdelt=team&fra=2025-01&til=2026-06', '/udvalg', '/dagsordenspunkt', '/dagsordenspunkt?punkt=ledelsesinformation&profil=hedensted', '/dagsordenspunkt?punkt=fristoverholdelse']],
      ['administrator', ['/admin/revision', '/admin/revision?kontrol=1', '/admin/brugere', '/admin/importer', '/admin/indstillinger']],
    ]) {
      // axe-core runs inside the page, so these contexts have JavaScript; reading without it is
      // checked separately below.
      // The analyst copies agenda fields to the clipboard, which needs the permission.
      const ctx = await b.newContext(user === 'analytiker' ? { permissions: ['clipboard-read', 'clipboard-write'] } : {});
      const page = await ctx.newPage();
      await login(page, user);
      for (const path of paths) {
        await page.goto(`${base}${path}`);
        assert.equal(await page.locator('html').getAttribute('lang'), 'da');
        await page.screenshot({ path: `${shots}/${user}${path.replaceAll(/[/?=&]/g, '_')}.png`, fullPage: path.startsWith('/fokusmaal') || path.startsWith('/udvalg') || path.startsWith('/dagsordenspunkt') });
        await checkA11y(page, `${user} ${path}`);
      }
      if (user === 'teamleder') {
        // Export the list and check that what arrives is an xlsx workbook.
        await page.goto(`${base}/team?visning=alle`);
        const [download] = await Promise.all([
          page.waitForEvent('download'),
          page.getByRole('link', { name: 'Hent listen som Excel-fil' }).click(),
        ]);
        assert.match(download.suggestedFilename(), /^kadence-team-alle-\d{4}-\d{2}-\d{2}\.xlsx$/);
        const file = `${shots}/export.xlsx`;
        await download.saveAs(file);
        const { readFileSync } = await import('node:fs');
        const bytes = readFileSync(file);
        assert.equal(bytes.subarray(0, 2).toString(), 'PK', 'a zip container');
        assert.ok(bytes.includes(Buffer.from('xl/worksheets/sheet1.xml')), 'with a worksheet');

        // Filter by a view, sort by a column, then search by name; each keeps the others.
        await page.goto(`${base}/team`);
        await page.getByRole('link', { name: /^Overblik 1/ }).click();
        await page.waitForURL(/visning=overblik1/);
        await page.getByRole('link', { name: /Dage siden 1\. fraværsdag/ }).click();
        await page.waitForURL(/sorter=dage/);
        assert.match(page.url(), /visning=overblik1/);
        const days = (await page.locator('table.worklist tbody td.num').allInnerTexts()).map(t => parseInt(t, 10));
        assert.ok(days.length > 0 && days.every((d, i) => i === 0 || days[i - 1] >= d), `sorted by days: ${days}`);
        assert.equal(await page.locator('th[aria-sort="descending"]').count(), 1);
        const someone = (await page.locator('table.worklist tbody th a').first().innerText()).split(',')[0].trim();
        await page.getByLabel('Søg i listen (navn)').fill(someone);
        await page.getByRole('button', { name: 'Søg' }).click();
        await page.waitForURL(/q=/);
        assert.match(page.url(), /sorter=dage/);
        const found = await page.locator("table.worklist tbody th a").allInnerTexts();
        assert.ok(found.length > 0 && found.every(n => n.toLowerCase().includes(someone.toLowerCase())), `search: ${found}`);
        await page.screenshot({ path: `${shots}/teamleder_filter_sort.png`, fullPage: false });
        await checkA11y(page, 'team filtered and sorted');

        // Filter by a caseworker (from the counts at the top) and by deadline band: every row is theirs.
        await page.goto(`${base}/team`);
        assert.ok(await page.locator('table.counts').isVisible(), 'counts per caseworker');
        const who = (await page.locator('#sagsbehandler option').nth(1).innerText()).trim();
        await page.getByLabel('Sagsbehandler', { exact: true }).selectOption({ label: who });
        await page.getByLabel('Næste frist').selectOption({ label: 'Overskredet' });
        await Promise.all([page.waitForURL(/sagsbehandler=/), page.getByRole('button', { name: 'Søg' }).click()]);
        assert.match(page.url(), /frist=overskredet/);
        const cws = (await page.locator('table.worklist tbody tr td:nth-child(8)').allInnerTexts()).map(t => t.trim());
        assert.ok(cws.every(n => n === who), `filtered to ${who}: ${cws}`);
        assert.match(await page.locator('p[role="status"]').first().innerText(), new RegExp(`Sagsbehandler: ${who}`));
        await page.screenshot({ path: `${shots}/teamleder_filter_sagsbehandler.png`, fullPage: false });
        await checkA11y(page, 'team filtered by caseworker');

        // Move the first citizen in the list to another caseworker in the team.
        await page.goto(`${base}/team?visning=alle`);
        const row = page.locator('table.worklist tbody tr').first();
        const box = row.locator('input[type=checkbox]');
        const label = await box.getAttribute('aria-label');
        assert.match(label, /^Vælg .+ \(\d{6}-xxxx\)$/);
        const current = (await row.locator('td').nth(6).innerText()).trim();
        await box.check();
        const names = (await page.locator('#til option:not([value=""])').allInnerTexts()).map(t => t.trim());
        const target = names.find(n => n !== current);
        assert.equal(await page.getByLabel('Ny sagsbehandler').inputValue(), '', 'no receiver preselected');
        await page.getByLabel('Ny sagsbehandler').selectOption({ label: target });
        // A confirmation names the citizen and the receiver before anything moves.
        await Promise.all([page.waitForURL(/\/team\/flyt/), page.getByRole('button', { name: 'Flyt valgte' }).click()]);
        assert.match(await page.locator('h1').innerText(), /Bekræft flytning/);
        assert.equal(await page.locator('table.worklist tbody tr').count(), 1);
        assert.match(await page.locator('main').innerText(), new RegExp(target));
        await page.screenshot({ path: `${shots}/teamleder_bekraeft_flytning.png`, fullPage: false });
        await checkA11y(page, 'move confirmation');
        await Promise.all([page.waitForURL(/flyttet=1/), page.getByRole('button', { name: `Bekræft flytning til ${target}` }).click()]);
        assert.match(await page.locator('.notice').innerText(), new RegExp(`1 forløb flyttet til ${target}`));
        // The moved citizen's row names the new caseworker and says the case system still differs.
        const moved = page.locator('table.worklist tbody tr').filter({ has: page.getByLabel(label, { exact: true }) });
        assert.equal((await moved.locator('td').nth(6).innerText()).trim(), target);
        assert.match(await moved.innerText(), /Flyttet i Kadence/);
        await page.screenshot({ path: `${shots}/teamleder_flyttet.png`, fullPage: false });
        await checkA11y(page, 'team after a move');
      }
      if (user === 'administrator') {
        // The settings: a refused change shows its errors (checked by axe too), a good one is saved
        // as a new version, and the page says so.
        await page.goto(`${base}/admin/indstillinger`);
        // 12 conversations cannot fit a half-year with 40 days between them: the server says so (a
        // value outside a field's own range is stopped by the browser first).
        const minimum = page.getByLabel('Mindste antal samtaler i første halvår under 2027');
        const spacing = page.getByLabel('Mindste afstand mellem to samtaler (kommunens praksis)');
        await spacing.fill('40');
        await minimum.fill('12');
        await page.getByLabel('Begrundelse', { exact: true }).fill('Browsertest');
        await page.getByRole('button', { name: 'Gem indstillingerne' }).click();
        await page.waitForSelector('text=Indstillingerne er ikke gemt');
        assert.match(await page.locator('section.warn[role="alert"]').first().innerText(), /regler\.mindste_antal_2027/);
        await page.screenshot({ path: `${shots}/administrator_indstillinger_fejl.png`, fullPage: false });
        await checkA11y(page, 'settings with errors');
        await spacing.fill('14');
        await minimum.fill('2');
        await page.getByLabel('Begrundelse', { exact: true }).fill('Browsertest');
        // The demo saved version 1 (the committee settings), so this is version 2.
        await Promise.all([page.waitForURL(/gemt=2/), page.getByRole('button', { name: 'Gem indstillingerne' }).click()]);
        assert.match(await page.locator('p.notice').innerText(), /Indstillinger v2 er gemt/);
        assert.match(await page.locator('.freshness').innerText(), /indstillinger v2/);
        // At 390 px the settings still read top to bottom, without sideways scrolling.
        await page.setViewportSize({ width: 390, height: 844 });
        await page.goto(`${base}/admin/indstillinger`);
        await page.screenshot({ path: `${shots}/administrator_indstillinger_390.png`, fullPage: false });
        const wide = await page.evaluate(() => {
          const w = document.documentElement.scrollWidth;
          const culprits = [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 400).slice(0, 5).map(e => `${e.tagName}.${e.className}`);
          return { w, culprits };
        });
        assert.ok(wide.w <= 400, `no sideways scrolling at 390 px (width ${wide.w}: ${wide.culprits.join(', ')})`);
      }
      if (user === 'analytiker') {
        // The committee page: a target that is not a number is refused in Danish, a good one is
        // saved, and at 390 px the page reads without sideways scrolling.
        await page.goto(`${base}/udvalg`);
        await page.getByLabel('Fuldtidspersoner', { exact: true }).fill('mange');
        await page.locator('#begrundelse-mal').fill('Browsertest');
        await page.getByRole('button', { name: 'Gem' }).click();
        await page.waitForSelector('#maal-fejl');
        assert.match(await page.locator('#maal-fejl').innerText(), /«mange» er ikke et antal fuldtidspersoner/);
        await checkA11y(page, 'udvalg with a target error');
        await page.getByLabel('Fuldtidspersoner', { exact: true }).fill('812,5');
        await page.locator('#begrundelse-mal').fill('Browsertest');
        await Promise.all([page.waitForURL(/gemt=1/), page.getByRole('button', { name: 'Gem' }).click()]);
        assert.match(await page.locator('p.notice').innerText(), /Målet er gemt/);
        await page.setViewportSize({ width: 390, height: 844 });
        await page.goto(`${base}/udvalg`);
        await page.screenshot({ path: `${shots}/analytiker_udvalg_390.png`, fullPage: false });
        const w = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(w <= 400, `no sideways scrolling on Udvalg at 390 px (width ${w})`);
        // The agenda item: a field copied with its button is on the clipboard; the Word document
        // downloads; at 390 px no sideways scrolling.
        await page.setViewportSize({ width: 1280, height: 900 });
        await page.goto(`${base}/dagsordenspunkt?punkt=tidlig-indsats&profil=vesthimmerland`);
        await page.getByRole('button', { name: 'Kopiér «Resume»' }).click();
        await page.waitForFunction(() => document.getElementById('felt-status-1').textContent.length > 0);
        assert.equal(await page.locator('#felt-status-1').innerText(), 'Kopieret');
        const clip = await page.evaluate(() => navigator.clipboard.readText());
        assert.equal(clip.trim(), (await page.locator('#felt-indhold-1').innerText()).trim());
        assert.match(clip, /mindst fire samtaler/);
        await checkA11y(page, 'dagsordenspunkt after copying');
        const [doc] = await Promise.all([
          page.waitForEvent('download'),
          page.getByRole('link', { name: /Word-dokument/ }).click(),
        ]);
        assert.match(doc.suggestedFilename(), /^dagsordenspunkt-tidlig-indsats-\d{4}-\d{2}\.docx$/);
        await page.setViewportSize({ width: 390, height: 844 });
        await page.goto(`${base}/dagsordenspunkt?punkt=fristoverholdelse`);
        await page.screenshot({ path: `${shots}/analytiker_dagsordenspunkt_390.png`, fullPage: false });
        const w2 = await page.evaluate(() => {
          const w = document.documentElement.scrollWidth;
          const culprits = [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 400).slice(0, 5).map(e => `${e.tagName}.${e.className}`);
          return { w, culprits };
        });
        assert.ok(w2.w <= 400, `no sideways scrolling on Dagsordenspunkt at 390 px (width ${w2.w}: ${w2.culprits.join(', ')})`);
      }
      if (user === 'sagsbehandler') {
        // Open the most urgent course from the worklist, then change the as-of date.
        await page.goto(`${base}/mine`);
        const first = page.locator('table.worklist tbody th a').first();
        const href = await first.getAttribute('href');
        assert.match(href, /^\/forloeb\/K\d\d-(SDP|JAF)-\d+/);
        await Promise.all([page.waitForURL(/\/forloeb\//), first.click()]);
        assert.match(await page.locator('h1').innerText(), /forløb/);
        await page.screenshot({ path: `${shots}/${user}_forloeb.png`, fullPage: true });
        await checkA11y(page, 'course page');
        // The timeline's month labels as drawn: inside the drawing, and never on top of each other.
        const axis = await page.locator('svg.timeline').evaluate(svg => {
          const vb = svg.viewBox.baseVal;
          const boxes = [...svg.querySelectorAll('text.axis')].map(t => { const b = t.getBBox(); return { x: b.x, r: b.x + b.width, text: t.textContent }; });
          return { boxes, width: vb.width };
        });
        assert.ok(axis.boxes.length > 0, 'the timeline has month labels');
        for (const [i, b] of axis.boxes.entries()) {
          assert.ok(b.x >= 0 && b.r <= axis.width, `${b.text} is not cut off (${b.x.toFixed(1)}–${b.r.toFixed(1)} of ${axis.width})`);
          if (i > 0) assert.ok(axis.boxes[i - 1].r <= b.x, `${axis.boxes[i - 1].text} and ${b.text} do not overlap`);
        }
        assert.ok(await page.locator('figcaption ul.legend li', { hasText: 'Frist, overskredet eller forsømt' }).isVisible(), 'the timeline has a key');
        // A citizen calls: the full CPR number (shown by "Vis CPR", logged) finds them with
        // "Find borger", and the number never reaches the address line.
        const courseUrl = page.url();
        const courseKey = decodeURIComponent(new URL(courseUrl).pathname.split('/')[2]);
        await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Vis CPR' }).click()]);
        const cpr = (await page.locator('dd').filter({ hasText: /^\d{6}-\d{4}/ }).first().innerText()).match(/\d{6}-\d{4}/)[0];
        await page.getByRole('link', { name: 'Find borger' }).click();
        await page.waitForURL(/\/find/);
        await checkA11y(page, 'find citizen');
        await page.getByLabel('CPR-nummer eller forløbs-id').fill(cpr.replace('-', ''));
        await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Søg' }).click()]);
        assert.ok(!page.url().includes(cpr.slice(0, 6)), `no CPR number in the URL: ${page.url()}`);
        assert.match(await page.locator('section p[role="status"]').innerText(), /forløb fundet med dette CPR-nummer i din sagsstamme/);
        assert.ok(await page.getByRole('link', { name: courseKey, exact: true }).isVisible(), 'the course is listed');
        assert.ok(!(await page.content()).includes(cpr), 'the number is not echoed');
        await page.screenshot({ path: `${shots}/${user}_find.png`, fullPage: true });
        await checkA11y(page, 'find citizen with a result');
        // A wrong number is said in Danish, by the field.
        await page.getByLabel('CPR-nummer eller forløbs-id').fill('310250-1000');
        await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Søg' }).click()]);
        assert.match(await page.locator('#soeg-fejl').innerText(), /ikke en gyldig dato/);
        await checkA11y(page, 'find citizen with an error');
        await page.goto(courseUrl);
        await page.getByLabel('Opgørelsesdato').fill('01-01-2026');
        await Promise.all([page.waitForURL(/dato=01-01-2026/), page.getByRole('button', { name: 'Vis', exact: true }).click()]);
        assert.match(await page.locator('.freshness').innerText(), /Data pr\. 01-01-2026/);
        // A past date is said on the page, and the menu keeps it.
        assert.match(await page.locator('.asof-banner').innerText(), /Du ser data pr\. 01-01-2026/);
        await checkA11y(page, 'course page with a past as-of date');
        await Promise.all([page.waitForURL(/\/fokusmaal\?dato=01-01-2026/), page.getByRole('link', { name: 'Fokusmål' }).click()]);
        assert.match(await page.locator('.freshness').innerText(), /Data pr\. 01-01-2026/);
        await page.screenshot({ path: `${shots}/${user}_fokusmaal_past_date.png`, fullPage: false });
      }
      await ctx.close();
    }

    // Reading works without JavaScript: the worklist and a course page are plain HTML.
    const nojs = await b.newContext({ javaScriptEnabled: false });
    const p = await nojs.newPage();
    await login(p, 'sagsbehandler');
    await p.goto(`${base}/mine`);
    assert.ok(await p.locator('table.worklist tbody tr').count() > 0, 'worklist rows without JavaScript');
    await Promise.all([p.waitForURL(/\/forloeb\//), p.locator('table.worklist tbody th a').first().click()]);
    assert.ok(await p.getByRole('heading', { name: /Pligter pr\./ }).isVisible());
    await nojs.close();
    // The agenda item's fields read without JavaScript; the copy buttons, which need it, stay hidden.
    const nojs2 = await b.newContext({ javaScriptEnabled: false });
    const q = await nojs2.newPage();
    await login(q, 'analytiker');
    await q.goto(`${base}/dagsordenspunkt`);
    assert.ok(await q.locator('#felt-indhold-1 p').first().isVisible(), 'the first field reads');
    assert.equal(await q.locator('button.kopier:visible').count(), 0, 'no copy button without JavaScript');
    await nojs2.close();
  } finally {
    await b.close();
  }
});

// Presses Tab until the focused element matches `selector`; fails if it takes more than `max` presses.
// Every element reached on the way must show a visible focus indicator (WCAG 2.4.7).
async function tabTo(page, selector, max = 80) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const state = await page.evaluate((sel) => {
      const el = document.activeElement;
      if (!el || el === document.body) return { at: false, visible: true, what: 'body' };
      const cs = getComputedStyle(el);
      const visible = (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0) || cs.boxShadow !== 'none';
      // The ring's contrast against what is behind the element (WCAG 1.4.11): the best of its
      // colours, against the first opaque background up the tree.
      const rgb = c => (c.match(/rgba?\(([^)]+)\)/) || [, '0,0,0,0'])[1].split(',').map(Number);
      const lum = ([r, g, b]) => [r, g, b].map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }).reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
      const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
      let bg = [255, 255, 255];
      for (let e = el.parentElement; e; e = e.parentElement) {
        const c = rgb(getComputedStyle(e).backgroundColor);
        if (c.length < 4 || c[3] > 0) { bg = c.slice(0, 3); break; }
      }
      const rings = [];
      if (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0) rings.push(rgb(cs.outlineColor));
      if (cs.boxShadow !== 'none') rings.push(rgb(cs.boxShadow));
      const contrast = Math.max(0, ...rings.map(c => ratio(c.slice(0, 3), bg)));
      return { at: el.matches(sel), visible, contrast, what: `${el.tagName} ${el.textContent.trim().slice(0, 40)}` };
    }, selector);
    assert.ok(state.visible, `focus indicator visible on ${state.what}`);
    if (state.what !== 'body') assert.ok(state.contrast >= 3, `focus ring contrast ${state.contrast.toFixed(2)} >= 3:1 on ${state.what}`);
    if (state.at) return;
  }
  assert.fail(`${selector} not reached with ${max} presses of Tab`);
}

test('keyboard only: log in, skip to the content, open a course, change the date, use the menu', async () => {
  const b = await browser();
  try {
    const ctx = await b.newContext();
    const page = await ctx.newPage();
    await page.goto(`${base}/login`);
    await tabTo(page, '#brugernavn');
    await page.keyboard.type('sagsbehandler');
    await page.keyboard.press('Tab');
    await page.keyboard.type(logins.sagsbehandler);
    await Promise.all([page.waitForURL(/\/mine/), page.keyboard.press('Enter')]);

    // The first Tab reaches the skip link, which moves past the menu to the content.
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.textContent.trim()), 'Spring til indhold');
    // Following an in-page link is queued as a task: wait for it rather than read the URL at once
    // (CI once read the URL before the fragment was set).
    await Promise.all([page.waitForURL(/#indhold$/), page.keyboard.press('Enter')]);
    // The skip target takes the focus, so the next Tab starts inside the content, not in the menu.
    await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'indhold');

    // Open the most urgent course.
    await tabTo(page, 'table.worklist tbody th a');
    await Promise.all([page.waitForURL(/\/forloeb\//), page.keyboard.press('Enter')]);
    assert.match(await page.locator('h1').innerText(), /forløb/);

    // Change the as-of date from the keyboard.
    await tabTo(page, '#dato');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('01-01-2026');
    await Promise.all([page.waitForURL(/dato=01-01-2026/), page.keyboard.press('Enter')]);
    await page.waitForFunction(() => /Data pr\. 01-01-2026/.test(document.querySelector('.freshness').textContent));

    // The main menu.
    await page.goto(`${base}/mine`);
    await tabTo(page, 'nav[aria-label="Hovedmenu"] a[href="/laegeoplysninger"]');
    await Promise.all([page.waitForURL(/\/laegeoplysninger/), page.keyboard.press('Enter')]);
    assert.match(await page.locator('h1').innerText(), /Lægeoplysninger/);
    await ctx.close();
  } finally {
    await b.close();
  }
});

// Every page at 390 px (a phone held upright) reads without sideways scrolling: lists become one
// card per citizen. Every list and the course page print without menu, forms or checkboxes, with
// the as-of date and the view's name in the header. An impossible as-of date is refused in Danish.
test('390 px without sideways scrolling, print of a list and a course, and an impossible as-of date', async () => {
  const b = await browser();
  try {
    for (const [user, paths] of [
      ['sagsbehandler', ['/mine', '/find', '/laegeoplysninger', '/jobafklaring', '/tidlig-indsats', '/fokusmaal']],
      ['teamleder', ['/team', '/team?visning=overblik2', '/team?visning=foerste', '/laegeoplysninger', '/jobafklaring', '/tidlig-indsats', '/udvalg', '/fokusmaal']],
      ['analytiker', ['/fokusmaal', '/fokusmaal?maal=foerste&opdelt=team', '/udvalg', '/dagsordenspunkt']],
      ['administrator', ['/admin/revision', '/admin/brugere', '/admin/importer', '/admin/indstillinger']],
    ]) {
      const ctx = await b.newContext({ viewport: { width: 390, height: 844 } });
      const page = await ctx.newPage();
      await login(page, user);
      const course = [];
      for (const path of paths) {
        await page.goto(`${base}${path}`);
        const r = await page.evaluate(() => ({
          w: document.documentElement.scrollWidth,
          inner: innerWidth,
          culprits: [...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > innerWidth + 1 && !e.closest('.table-scroll, thead, .visually-hidden')).slice(0, 3).map(e => `${e.tagName}.${e.className}`),
        }));
        assert.ok(r.w <= r.inner, `${user} ${path}: scrollWidth ${r.w} > innerWidth ${r.inner} (${r.culprits.join(', ')})`);
        // No date breaks at its hyphens: every dd-mm-åååå in the page's text sits on one line.
        const broken = await page.evaluate(() => {
          const out = [];
          const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
          while (walk.nextNode()) {
            const n = walk.currentNode;
            for (const m of n.data.matchAll(/\d{2}-\d{2}-\d{4}/g)) {
              const range = document.createRange();
              range.setStart(n, m.index);
              range.setEnd(n, m.index + 10);
              const tops = new Set([...range.getClientRects()].filter(x => x.width > 0).map(x => Math.round(x.top)));
              if (tops.size > 1) out.push(`${m[0]} in ${n.parentElement.tagName}.${n.parentElement.className}`);
            }
          }
          return out.slice(0, 3);
        });
        assert.deepEqual(broken, [], `${user} ${path}: dates broken over two lines`);
        if (!course.length) {
          const href = await page.locator('table.worklist tbody th a[href^="/forloeb/"]').first().getAttribute('href', { timeout: 1000 }).catch(() => null);
          if (href) course.push(href);
        }
      }
      if (user === 'sagsbehandler' || user === 'teamleder') {
        // A list is one card per citizen at 390 px: the header row is hidden, every cell says its column.
        await page.goto(`${base}${paths[0]}`);
        await page.screenshot({ path: `${shots}/${user}_390.png`, fullPage: false });
        const firstCell = page.locator('table.worklist tbody tr').first().locator('td[data-label]').first();
        assert.ok(await firstCell.getAttribute('data-label'), 'cells carry their column name');
        assert.equal(await page.locator('table.worklist thead').evaluate(t => t.getBoundingClientRect().height <= 1), true, 'the header row is out of sight');
        await checkA11y(page, `${user} ${paths[0]} at 390 px`);
        // The course page too.
        assert.ok(course.length, `${user} has a course to open`);
        await page.goto(`${base}${course[0]}`);
        const cw = await page.evaluate(() => [document.documentElement.scrollWidth, innerWidth]);
        assert.ok(cw[0] <= cw[1], `${user} course page at 390 px: ${cw[0]} > ${cw[1]}`);
        await page.screenshot({ path: `${shots}/${user}_forloeb_390.png`, fullPage: true });
      }
      if (user === 'teamleder') {
        // Print: A4 landscape, no menu, forms, checkboxes or buttons; the date and the view's name stay.
        await page.setViewportSize({ width: 1123, height: 794 });
        await page.goto(`${base}/team?visning=foerste`);
        await page.emulateMedia({ media: 'print' });
        const hidden = sel => page.locator(sel).evaluateAll(els => els.every(e => getComputedStyle(e).display === 'none' || e.getBoundingClientRect().height === 0));
        for (const sel of ['nav[aria-label="Hovedmenu"]', 'form:not(.reassign)', 'select', 'input[type="checkbox"]', 'button', '.pager']) {
          assert.ok(await hidden(sel), `${sel} is not printed`);
        }
        assert.ok(await page.locator('h1').isVisible(), 'the view name is printed');
        assert.match(await page.locator('.freshness').innerText(), /Data pr\. \d{2}-\d{2}-\d{4}/, 'the as-of date is printed');
        assert.ok(await page.locator('table.worklist thead').isVisible(), 'the list prints as a table with its header');
        await page.screenshot({ path: `${shots}/teamleder_print.png`, fullPage: false });
        const pdf = await page.pdf({ preferCSSPageSize: true });
        assert.equal(pdf.subarray(0, 4).toString(), '%PDF');
        await page.goto(`${base}${course[0]}`);
        assert.ok(await hidden('nav[aria-label="Hovedmenu"]'), 'the course page prints without the menu');
        assert.ok(await hidden('form'), 'the course page prints without forms');
        await page.emulateMedia({ media: 'screen' });

        // 31 February does not exist: refused in Danish, not replaced by today.
        const res = await page.goto(`${base}/team?dato=31-02-2026`);
        assert.equal(res.status(), 400);
        assert.match(await page.locator('h1').innerText(), /Datoen findes ikke/);
        assert.match(await page.locator('main').innerText(), /«31-02-2026» er ikke en dato\. Skriv opgørelsesdatoen som dd-mm-åååå/);
        await page.screenshot({ path: `${shots}/teamleder_ugyldig_dato.png`, fullPage: false });
        await checkA11y(page, 'impossible as-of date');
      }
      await ctx.close();
    }
  } finally {
    await b.close();
  }
});

// A citizen asks who has looked them up: the administrator's extract, newest first, for a period,
// readable on a phone and printable as PDF without the form, and as an Excel file.
test('audit extract for an access request: on screen, at 390 px, printed and as Excel', async () => {
  const b = await browser();
  try {
    // The caseworker opens a course and reveals the CPR number (both logged).
    const cw = await b.newContext();
    const p = await cw.newPage();
    await login(p, 'sagsbehandler');
    await p.goto(`${base}/mine`);
    await Promise.all([p.waitForURL(/\/forloeb\//), p.locator('table.worklist tbody th a').first().click()]);
    await Promise.all([p.waitForLoadState('load'), p.getByRole('button', { name: 'Vis CPR' }).click()]);
    const cpr = (await p.locator('dd').filter({ hasText: /^\d{6}-\d{4}/ }).first().innerText()).match(/\d{6}-\d{4}/)[0];
    await cw.close();

    const ctx = await b.newContext({ acceptDownloads: true });
    const page = await ctx.newPage();
    await login(page, 'administrator');
    await page.goto(`${base}/admin/revision`);
    await page.getByLabel('CPR-nr. (skal udfyldes)').fill(cpr);
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Vis opslag' }).click()]);
    assert.ok(!page.url().includes(cpr.slice(0, 6)), `no CPR number in the URL: ${page.url()}`);
    const heading = await page.locator('#udtraek').innerText();
    assert.match(heading, /^Udtræk af revisionslog for \d{6}-xxxx$/);
    const actions = await page.locator('.extract tbody td[data-label="Handling"]').allInnerTexts();
    assert.ok(actions.includes('vist forløb med fuldt CPR-nummer'), `the reveal is in the extract: ${actions.join(', ')}`);
    assert.match(await page.locator('.extract').innerText(), /Periode: hele loggen/);
    await checkA11y(page, 'audit extract');
    await page.screenshot({ path: `${shots}/administrator_revisionslog_udtraek.png`, fullPage: true });

    // A wrong period is said by the form, in Danish.
    await page.getByLabel('CPR-nr. (skal udfyldes)').fill(cpr);
    await page.getByLabel('Fra').fill('31-06-2025');
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Vis opslag' }).click()]);
    assert.match(await page.locator('p.error[role="alert"]').innerText(), /«31-06-2025» i «Fra» er ikke en dato/);
    await checkA11y(page, 'audit extract with a wrong period');

    // The extract as Excel.
    await page.getByLabel('CPR-nr. (skal udfyldes)').fill(cpr);
    await page.getByLabel('Fra').fill('');
    const [xlsx] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Hent som Excel-fil' }).click(),
    ]);
    assert.match(xlsx.suggestedFilename(), /^kadence-revisionslog-\d{4}-\d{2}-\d{2}\.xlsx$/);

    // On a phone, and printed: the form and the menu stay off paper, the extract prints.
    await page.goto(`${base}/admin/revision`);
    await page.getByLabel('CPR-nr. (skal udfyldes)').fill(cpr);
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Vis opslag' }).click()]);
    await page.setViewportSize({ width: 390, height: 844 });
    const w = await page.evaluate(() => [document.documentElement.scrollWidth, innerWidth]);
    assert.ok(w[0] <= w[1], `audit extract at 390 px: ${w[0]} > ${w[1]}`);
    await page.screenshot({ path: `${shots}/administrator_revisionslog_390.png`, fullPage: true });
    await page.setViewportSize({ width: 1123, height: 794 });
    await page.emulateMedia({ media: 'print' });
    const hidden = sel => page.locator(sel).evaluateAll(els => els.every(e => getComputedStyle(e).display === 'none' || e.getBoundingClientRect().height === 0));
    for (const sel of ['nav[aria-label="Hovedmenu"]', 'form', 'button', '.print-hint']) {
      assert.ok(await hidden(sel), `${sel} is not printed`);
    }
    assert.ok(await page.locator('.extract table thead').isVisible(), 'the extract prints as a table');
    const pdf = await page.pdf({ preferCSSPageSize: true });
    assert.equal(pdf.subarray(0, 4).toString(), '%PDF');
    await ctx.close();
  } finally {
    await b.close();
  }
});
