/**
 * Every string the dashboard shows, in English. A translation is a copy of this file with
 * the same keys (`sv.ts`), added to `catalogs` in index.ts. `{name}` is filled in by `t`.
 * Each page keeps its strings under its own key.
 */
export const en = {
  app: {
    title: 'FlexiCharge operations',
    skipToContent: 'Skip to content',
    navLabel: 'Sections',
    signOut: 'Sign out',
    signedInAs: 'Signed in as {email}',
    liveConnected: 'Live',
    liveReconnecting: 'Reconnecting…',
    liveOffline: 'Not live',
    loading: 'Loading…',
    retry: 'Try again',
    notFound: 'There is no such page.',
    nav: {
      fleet: 'Fleet',
      sessions: 'Sessions',
      users: 'Users',
      cards: 'RFID cards',
      tariffs: 'Tariffs',
      invoices: 'Invoices',
      selfTest: 'Self-test',
    },
  },
  common: {
    save: 'Save',
    cancel: 'Cancel',
    close: 'Close',
    search: 'Search',
    filter: 'Filter',
    all: 'All',
    none: 'None',
    yes: 'Yes',
    no: 'No',
    loadMore: 'Load more',
    noRows: 'Nothing to show.',
    online: 'Online',
    offline: 'Offline',
    error: 'Something went wrong: {message}',
    sent: 'Sent',
    never: 'never',
  },
  signIn: {
    heading: 'Sign in',
    intro: 'Operators sign in with an admin account.',
    email: 'E-mail address',
    password: 'Password',
    submit: 'Sign in',
    working: 'Signing in…',
    failed: 'The e-mail address or password is wrong.',
    newPasswordRequired: 'This account has a temporary password. Choose a new one.',
    newPassword: 'New password',
    setPassword: 'Set password and sign in',
    expired: 'Your sign-in ended. Sign in again.',
  },

  // fleet: strings of the fleet page

  // charger: strings of the charger page

  // sessions: strings of the sessions pages

  // users: strings of the users and cards pages

  // money: strings of the tariffs, invoices and self-test pages
};

/** The shape every translation has. */
export type Catalog = typeof en;
