import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Translate } from '@/utils/i18n';

/** The page provides `browser.i18n` through this, so components never touch `browser`. */
export const I18nContext = createContext<Translate>((key) => key);

export const useT = (): Translate => useContext(I18nContext);
