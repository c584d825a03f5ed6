import { HttpError } from '../lib/http-error';
import type { NewUser, UsersRepository } from '../repositories/users-repository';

const usernameTaken = () => new HttpError(409, 'username_taken', 'that username is taken');

/** User writes: sign-up. */
export class UserService {
  constructor(
    private readonly users: UsersRepository,
    private readonly passwords: { hash(password: string): Promise<string> },
  ) {}

  /** A new account; 409 `username_taken` when the name is. Nothing is cached for a user yet, so nothing to invalidate. */
  async signUp(username: string, password: string): Promise<NewUser> {
    // Cheap check first, so a taken name costs no scrypt; the insert's ON CONFLICT settles races.
    if (await this.users.credentials(username)) throw usernameTaken();
    const user = await this.users.create(username, await this.passwords.hash(password));
    if (!user) throw usernameTaken();
    return user;
  }
}
