// Log in to sao as a system administrator, open 就業支援 › 設定 ›
// 引継ぎデータの出力, take a screenshot of the first screen, tick the
// passphrase and the confirmation, export and take one of the result (-result.png).
// Usage: node handover_export.mjs URL DATABASE LOGIN PASSWORD SCREENSHOT
// Prints a JSON object: {start: "...", result: "..."}.
import { launch, login, openMenu, run } from './sao.mjs';

const [url, database, user, password, screenshot] = process.argv.slice(2);
const browser = await launch();
await run(browser, screenshot, async () => {
    const page = await login(browser, url, database, user, password);
    await openMenu(page, ['就業支援', '設定', '引継ぎデータの出力']);
    const dialog = page.locator('.modal-dialog').last();
    await dialog.getByText('個人情報として適切に保管', {exact: false})
        .waitFor({timeout: 90000});
    await page.waitForTimeout(1000);
    const start = await dialog.innerText();
    if (screenshot) {
        await page.screenshot({path: screenshot});
    }
    // The bundle is encrypted: the passphrase twice, then the tick box
    const passphrases = dialog.locator('input[type=password]');
    await passphrases.nth(0).fill('kaede-momiji-2026');
    await passphrases.nth(1).fill('kaede-momiji-2026');
    await dialog.locator('input[type=checkbox]').first().check();
    await dialog.getByRole('button', {name: '出力'}).click();
    await dialog.getByText('種別ごとの件数').waitFor({timeout: 90000});
    await page.waitForTimeout(1500);
    const last = page.locator('.modal-dialog').last();
    // the file name and the counts are in input boxes
    const result = await last.innerText() + '\n' + await last.locator(
        'input, textarea').evaluateAll(boxes => boxes.map(b => b.value)
            .join('\n'));
    if (screenshot) {
        await page.screenshot(
            {path: screenshot.replace(/\.png$/, '-result.png')});
    }
    console.log(JSON.stringify({start, result}));
});
