// spider_rs.js START_URL OUT.jsonl DEPTH ROBOTS [any]: a crawl with
// spider-rs (@spider-rs/spider-rs 0.0.157, the Rust crawler `spider` for
// Node.js), default settings otherwise.  ROBOTS on|off: respect
// robots.txt; `any` follows links to every host (withExternalDomains
// ['*']), else only START_URL's.  Pages stream to the subscription
// callback; each one is a JSON line {url, status, title} (pageTitle, on
// the Rust side).  crawl() resolves when the crawl is done, but the
// process does not exit by itself: process.exit() at the end.  Prints
// `bench: records=N`.  Run with NODE_PATH set to the folder holding
// @spider-rs/spider-rs.
'use strict';
const fs = require('fs');
const { Website, pageTitle } = require('@spider-rs/spider-rs');

const [start, out, depth, robots, scope] = process.argv.slice(2);
const stream = fs.createWriteStream(out);
let records = 0;

let site = new Website(start)
    .withDepth(parseInt(depth, 10))
    .withRespectRobotsTxt(robots === 'on');
if (scope === 'any') {
    site = site.withExternalDomains(['*']);
}
site = site.build();

site.crawl((err, page) => {
    if (err) {
        return;
    }
    let title = null;
    try { title = pageTitle(page); } catch (e) { title = null; }
    stream.write(JSON.stringify({
        url: page.url, status: page.statusCode,
        error: page.statusCode === 200 ? null : 'status',
        title,
    }) + '\n');
    records++;
}).then(() => {
    stream.end(() => {
        console.log(`bench: records=${records}`);
        process.exit(0);
    });
}).catch((e) => { console.error(e); process.exit(1); });
