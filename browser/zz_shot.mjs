import { chromium } from 'playwright-core';
const base = process.env.KADENCE_URL;
const logins = Object.fromEntries((process.env.KADENCE_LOGINS || '').split(',').filter(Boolean).map(s => s.split(':')));
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
for (const [user, path, sel, name, width] of [
  ['teamleder', '/fokusmaal?opdelt=sagsbehandler', '#registrering', 'lag_lead', 1280],
  ['sagsbehandler', '/fokusmaal?opdelt=sagsbehandler', '#registrering', 'lag_cw', 390],
  ['teamleder', '/udvalg', '#registrering', 'lag_udvalg', 1280],
]) {
  const ctx = await b.newContext({ viewport: { width, height: 900 } });
  const page = await ctx.newPage();
  await page.goto(`${base}/login`);
  await page.getByLabel('Brugernavn').fill(user);
  await page.getByLabel('Adgangskode').fill(logins[user]);
  await Promise.all([page.waitForURL(u => u.pathname !== '/login'), page.getByRole('button', { name: 'Log ind' }).click()]);
  await page.goto(`${base}${path}`);
  await page.locator(sel).evaluate(el => el.scrollIntoView({ block: 'start' }));
  await page.screenshot({ path: `/tmp/shots/${name}.png` });
  await ctx.close();
}
await b.close();
