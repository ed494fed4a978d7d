import { readFileSync } from 'node:fs';
import { defineConfig } from 'wxt';
import preact from '@preact/preset-vite';
import phoneMetadata from 'libphonenumber-js/metadata.min.json';
import { phoneMetadataIndex, splitPhoneMetadata } from './utils/templates/phone-metadata';
import { ICON_SIZES, writeIcons } from './build/write-icons';

// The public half of the key that pins the Chrome extension ID (hhmelekflmhphgkmcllpnfjdelffndei),
// so administrators can target policies at it. The private key is never committed.
const chromeKey = readFileSync(new URL('./chrome-public-key.b64', import.meta.url), 'utf8').trim();
export const GECKO_ID = 'cti-pop@cti-pop.org';

export default defineConfig({
  // Parallel work (several test runs on one machine) builds into separate folders.
  outDir: process.env.CTIPOP_OUTDIR ?? '.output',
  modules: ['@wxt-dev/webextension-polyfill'],
  vite: () => ({ plugins: [preact()] }),
  hooks: {
    'build:publicAssets': (wxt, files) => {
      // One number-plan file per calling code, loaded by the worker when a call needs it, and the
      // index naming the countries of each code (utils/templates/phone-metadata.ts), so
      // background.js carries neither.
      files.push({ relativeDest: 'phone-metadata/index.json', contents: JSON.stringify(phoneMetadataIndex(phoneMetadata)) });
      for (const [code, part] of splitPhoneMetadata(phoneMetadata)) {
        files.push({ relativeDest: `phone-metadata/${code}.json`, contents: JSON.stringify(part) });
      }
      // The icons are rendered from assets/icon.svg on every build (nothing rendered is committed);
      // WXT finds icon/<size>.png among the public files and lists them in the manifest.
      for (const [size, path] of writeIcons(`${wxt.config.wxtDir}/icon`)) files.push({ absoluteSrc: path, relativeDest: `icon/${size}.png` });
    },
    'prepare:publicPaths': (_wxt, paths) => void paths.push(...ICON_SIZES.map((size) => `icon/${size}.png`)),
  },
  zip: {
    // {{manifestVersion}} already reads `mv3`; the browser name keeps the two stores' zips apart.
    artifactTemplate: '{{name}}-{{version}}-{{browser}}-{{manifestVersion}}.zip',
    sourcesTemplate: '{{name}}-{{version}}-sources.zip',
    // What a store reviewer needs to rebuild the extension, without the test suite and docs.
    excludeSources: ['test/**', 'docs/**', '.ci/**', '.output*/**', 'node_modules/**', 'store/screenshots/**'],
  },
  manifest: ({ browser }) => ({
    name: '__MSG_extName__',
    description: '__MSG_extDescription__',
    default_locale: 'en',
    // No `tabs`: reusing the pop tab reads its URL only on the CRM's origin, which host access covers.
    permissions: ['storage', 'alarms', 'notifications', 'idle', 'contextMenus', ...(browser === 'chrome' ? ['sidePanel'] : [])],
    // Hosts are requested at runtime for exactly the configured origins (options page).
    optional_host_permissions: ['http://*/*', 'https://*/*'],
    host_permissions: [],
    storage: { managed_schema: 'managed_schema.json' },
    action: { default_title: '__MSG_extName__', default_popup: 'popup.html' },
    commands: {
      'open-panel': { suggested_key: { default: 'Alt+Shift+C' }, description: '__MSG_commandOpenPanel__' },
    },
    ...(browser === 'chrome'
      ? { key: chromeKey }
      : {
          browser_specific_settings: {
            gecko: {
              id: GECKO_ID,
              // data_collection_permissions needs Firefox 140 (Android 142); older ones would ignore it.
              strict_min_version: '140.0',
              // What leaves the device, to the servers the user (or their admin) configures and
              // nowhere else: caller names and numbers in CTI lookups and pop-ups
              // (personallyIdentifyingInfo), who called whom, when and for how long in post-call
              // records (personalCommunications), and the PBX token or ARI password sent to the
              // PBX (authenticationInfo). All three are what the extension is for, so required.
              data_collection_permissions: { required: ['personallyIdentifyingInfo', 'personalCommunications', 'authenticationInfo'] },
            },
            gecko_android: { strict_min_version: '142.0' },
          },
          // Firefox MV3's default CSP adds upgrade-insecure-requests, which silently turns
          // ws://127.0.0.1 into wss:// and breaks PBXs on a LAN without TLS (TOOLCHAIN.md §4).
          content_security_policy: { extension_pages: "script-src 'self'; object-src 'self'" },
          // Firefox lets an extension handle tel: links with one of its own pages (README, "Click-to-dial").
          protocol_handlers: [{ protocol: 'tel', name: 'CTI Pop', uriTemplate: '/dial.html?uri=%s' }],
        }),
  }),
});
