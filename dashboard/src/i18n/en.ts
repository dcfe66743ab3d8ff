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

  fleet: {
    title: 'Fleet',
    counts: {
      label: 'The fleet at a glance',
      online: 'Chargers online',
      offline: 'Chargers offline',
      charging: 'Charging now',
      faulted: 'Faulted',
      power: 'Power drawn now',
    },
    map: {
      heading: 'Where',
      label: 'Map of the charge points',
      loading: 'Loading the map…',
      tilesFailed: 'The map tiles could not be loaded; the charge points are plotted by their position instead.',
      plotLabel: 'Plot of {count} charge points by latitude and longitude, north up; they are listed below it.',
      sites: 'Charge points',
      north: 'N ↑',
      km: '{km} km',
      noPosition: 'No position known',
      noPositions: 'No charge point has a position yet.',
      legend: 'Colours',
    },
    states: {
      faulted: 'Faulted',
      offline: 'Offline',
      unavailable: 'Unavailable or reserved',
      unknown: 'Unknown',
      charging: 'In use',
      available: 'Available',
      empty: 'No chargers',
    },
    listHeading: 'Chargers',
    filters: {
      label: 'Filter the chargers',
      search: 'Search',
      searchHint: 'Serial, ID, vendor, model, site',
      status: 'Status',
      presence: 'Online or offline',
      dialect: 'Dialect',
      site: 'Charge point',
      clear: 'Clear filters',
    },
    showing: 'Showing {shown} of {total} chargers',
    noMatch: 'No charger matches these filters.',
    nothingYet: 'There are no charge points or chargers yet.',
    emptySite: 'No chargers at this charge point yet.',
    groupCounts: 'Chargers: {chargers}, online: {online}',
    unplaced: {
      title: 'Unplaced chargers',
      note: 'Registered themselves and are at no charge point yet',
    },
    columns: {
      charger: 'Charger',
      status: 'Status',
      presence: 'Connection',
      power: 'Power',
      hardware: 'Vendor, model, firmware',
    },
    chargerId: 'ID {id}',
    connector: 'Connector {id}: {status}',
    lastSeen: 'Last seen',
    firmware: 'Firmware {version}',
    registration: {
      Accepted: 'Accepted',
      Pending: 'Registration pending',
      Rejected: 'Registration rejected',
    },
    dialects: {
      ocpp16: 'OCPP 1.6-J',
      flexicharge: 'FlexiCharge',
    },
  },

  // charger: strings of the charger page

  // sessions: strings of the sessions pages

  // users: strings of the users and cards pages

  // money: strings of the tariffs, invoices and self-test pages
};

/** The shape every translation has. */
export type Catalog = typeof en;
