/** An account as `GET /admin/users` lists it (the identity service's shape). */
export interface Account {
  /** The e-mail address. */
  Username: string;
  Attributes: { Name: string; Value: string }[];
  UserCreateDate: string;
  UserLastModifiedDate: string;
  Enabled: boolean;
  /** CONFIRMED, FORCE_CHANGE_PASSWORD, RESET_REQUIRED, … */
  UserStatus: string;
}

export interface AccountPage {
  Users: Account[];
  /** The `pagination_token` of the next page; absent at the last. */
  NextToken?: string;
}

/** An attribute's value (`sub` is the numeric user id), '' when absent. */
export const attribute = (account: Account, name: string) => account.Attributes.find((a) => a.Name === name)?.Value ?? '';

/** `GET /admin/users/:username`. */
export interface Profile {
  userId: string;
  username: string;
  firstName: string;
  lastName: string;
  phoneNumber: string;
  streetAddress: string;
  zipCode: string;
  city: string;
  country: string;
}

/** A card as `GET /admin/users/:username/idTags` lists it. */
export interface UserCard {
  idTag: string;
  status: string;
  expiresAt: string | null;
}

/** A card as `/idTags` has it. */
export interface Card extends UserCard {
  /** The owner's numeric id, as text. */
  userID: string | null;
  parentIdTag: string | null;
}

export const CARD_STATUSES = ['Accepted', 'Blocked', 'Expired', 'Invalid'] as const;

/** The address of a user's page (by e-mail address or numeric id). */
export const userPath = (username: string) => `/users/${encodeURIComponent(username)}`;
