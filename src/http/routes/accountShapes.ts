import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { NewPasswordRequired, type SignedIn, type User } from '../../domain/accounts.ts';
import { errorBody } from '../errors.ts';

/** A refused sign-in; the new-password challenge adds ChallengeName, Session and ChallengeParameters. */
export const SignInRefusal = Type.Object(
  {
    status: Type.Integer(),
    code: Type.String(),
    message: Type.String(),
    errorCodes: Type.Optional(Type.Array(Type.String())),
    ChallengeName: Type.Optional(Type.String()),
    Session: Type.Optional(Type.String()),
    ChallengeParameters: Type.Optional(Type.Record(Type.String(), Type.String())),
  },
  { $id: 'SignInRefusal' },
);

/** The original's sign-in answer, which every app and the admin GUI read, plus a refresh token. */
export const SignInResponse = Type.Object(
  {
    accessToken: Type.String(),
    email: Type.String(),
    username: Type.String(),
    name: Type.String(),
    family_name: Type.String(),
    user_id: Type.String(),
    refreshToken: Type.String(),
    expiresIn: Type.Integer({ description: 'Seconds the access token is valid' }),
  },
  { $id: 'SignInResponse' },
);

export function signInJson(signedIn: SignedIn) {
  const { user } = signedIn;
  return {
    accessToken: signedIn.accessToken,
    email: user.email,
    username: user.email,
    name: user.first_name,
    family_name: user.last_name,
    user_id: String(user.id),
    refreshToken: signedIn.refreshToken,
    expiresIn: signedIn.expiresIn,
  };
}

/**
 * Runs a sign-in; the new-password challenge answers 400 with `Session` in the body, as
 * the admin GUI expects (it signs in with the temporary password, then calls
 * force-change-password with that Session).
 */
export async function answerSignIn(reply: FastifyReply, signIn: () => Promise<SignedIn>) {
  try {
    return signInJson(await signIn());
  } catch (error) {
    if (!(error instanceof NewPasswordRequired)) throw error;
    return reply.status(400).send({
      ...errorBody(400, ['NEW_PASSWORD_REQUIRED'], 'A new password is required'),
      ChallengeName: 'NEW_PASSWORD_REQUIRED',
      Session: error.session,
      ChallengeParameters: { USER_ID_FOR_SRP: error.user.email, requiredAttributes: '[]' },
    });
  }
}

/** The profile as the apps read and write it. */
export function profileJson(user: User) {
  return {
    username: user.email,
    firstName: user.first_name,
    lastName: user.last_name,
    phoneNumber: user.phone_number,
    streetAddress: user.street_address,
    zipCode: user.zip_code,
    city: user.city,
    country: user.country,
  };
}

export const ProfileFields = {
  firstName: Type.String({ maxLength: 100 }),
  lastName: Type.String({ maxLength: 100 }),
  phoneNumber: Type.String({ maxLength: 40 }),
  streetAddress: Type.String({ maxLength: 200 }),
  zipCode: Type.String({ maxLength: 20 }),
  city: Type.String({ maxLength: 100 }),
  country: Type.String({ maxLength: 100 }),
};

export const Profile = Type.Object({ username: Type.String(), ...ProfileFields }, { $id: 'Profile' });

export function profileChanges(body: Partial<Record<keyof typeof ProfileFields, string>>) {
  return {
    first_name: body.firstName,
    last_name: body.lastName,
    phone_number: body.phoneNumber,
    street_address: body.streetAddress,
    zip_code: body.zipCode,
    city: body.city,
    country: body.country,
  };
}

/** Cognito's masked delivery destination for a code, e.g. `d***@t***`. */
export function maskedDestination(email: string) {
  const [local = '', domain = ''] = email.split('@');
  return `${local.slice(0, 1)}***@${domain.slice(0, 1)}***`;
}
