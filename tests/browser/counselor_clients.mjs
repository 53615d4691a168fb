// Log in to sao as a counselor, open 相談者 (Clients) and take a screenshot.
// Usage: node counselor_clients.mjs URL DATABASE LOGIN PASSWORD SCREENSHOT
// Prints a JSON object: {menu: [...], tab: "...", rows: [...]}.
import { launch, login, openMenu, run } from './sao.mjs';

const [url, database, user, password, screenshot] = process.argv.slice(2);
const browser = await launch();
await run(browser, screenshot, async () => {
    const page = await login(browser, url, database, user, password);
    await openMenu(page, ['就業支援']);
    const menuEntry = page.locator('#menu').getByText('相談者', {exact: true});
    await menuEntry.waitFor({timeout: 90000});
    const menu = await page.locator('#menu').innerText();
    await menuEntry.click();
    const rows = page.locator('#tabcontent .treeview tbody tr');
    await rows.first().waitFor({timeout: 90000});
    await page.waitForTimeout(1000);
    const tab = await page.locator('#tablist li.active').innerText();
    const texts = await rows.allInnerTexts();
    if (screenshot) {
        await page.screenshot({path: screenshot});
    }
    console.log(JSON.stringify({menu: menu.split('\n'), tab, rows: texts}));
});
