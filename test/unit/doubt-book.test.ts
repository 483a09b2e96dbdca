import { describe, expect, it } from 'vitest';
import { DoubtBook } from '../../server/dispatch/doubt-book.ts';
import type { Doubt, StoredRecord } from '../../server/stores/store.ts';

/** A record as the book reads it: its id, the ledger's doubt mark and its state. */
const rec = (id: string, doubt: Doubt | null = null, state: StoredRecord['state'] = 'pending') => ({ id, doubt, state });
const ids = (...list: string[]) => list.map((id) => ({ id }));

describe('the doubt book', () => {
  it('holds the records of a lost request in doubt, beside what the ledger marks', () => {
    const book = new DoubtBook();
    book.lost('q1', ['a', 'b']);
    expect(book.inDoubt(rec('a'))).toBe(true);
    expect(book.isLost('b')).toBe(true);
    expect(book.inDoubt(rec('c'))).toBe(false);
    expect(book.isLost('c')).toBe(false);
    // Unknown here, the ledger's mark decides; a settled record is in doubt no more.
    expect(book.inDoubt(rec('c', 'sending'))).toBe(true);
    expect(book.inDoubt(rec('c', 'lost', 'registered'))).toBe(false);
  });

  it('lifts a lost request for all its records once one of them is accepted; their ledger mark is then not believed', () => {
    const book = new DoubtBook();
    book.lost('q1', ['a', 'b', 'c']);
    book.lift(ids('a'));
    expect(book.inDoubt(rec('b', 'lost'))).toBe(false);
    expect(book.isLost('c')).toBe(false);
  });

  it('keeps a record in doubt while any of its lost requests is unresolved', () => {
    const book = new DoubtBook();
    book.lost('q1', ['a', 'b']);
    book.lost('q2', ['b', 'c']);
    book.lift(ids('a'));
    expect(book.inDoubt(rec('b', 'lost'))).toBe(true);
    expect(book.inDoubt(rec('a', 'lost'))).toBe(false);
    book.lift(ids('c'));
    expect(book.inDoubt(rec('b', 'lost'))).toBe(false);
  });

  it('puts a cleared record back in doubt when a later request carrying it gets no answer', () => {
    const book = new DoubtBook();
    book.lost('q1', ['a', 'b']);
    book.lift(ids('a'));
    expect(book.inDoubt(rec('b', 'lost'))).toBe(false);
    book.lost('q2', ['b']);
    expect(book.inDoubt(rec('b', 'lost'))).toBe(true);
  });

  it('tells whether records are in doubt by one and the same lost request only', () => {
    const book = new DoubtBook();
    book.lost('q1', ['a', 'b', 'c']);
    book.lost('q2', ['c', 'd']);
    book.lost('q3', ['e']);
    expect(book.oneLostRequest(ids('a', 'b'))).toBe(true);
    expect(book.oneLostRequest(ids('a', 'c'))).toBe(false);
    expect(book.oneLostRequest(ids('a', 'e'))).toBe(false);
    expect(book.oneLostRequest(ids('x'))).toBe(false);
  });

  it("regroups from the ledger only the claimed records it marks in doubt and has no group for", async () => {
    const book = new DoubtBook();
    book.lost('known', ['a']);
    book.lost('lifted', ['d', 'e']);
    book.lift(ids('e'));
    const asked: string[][] = [];
    const lostRequestsOf = async (list: string[]) => {
      asked.push(list);
      return new Map([['q9', ['c', 'f']]]);
    };
    await book.regroup([rec('a', 'lost'), rec('b'), rec('c', 'sending'), rec('d', 'lost')], lostRequestsOf);
    expect(asked).toEqual([['c']]);
    // The rebuilt group works as if this process had sent it: an acceptance of f clears c.
    expect(book.oneLostRequest(ids('c', 'f'))).toBe(true);
    book.lift(ids('f'));
    expect(book.inDoubt(rec('c', 'sending'))).toBe(false);
    await book.regroup([rec('a', 'lost'), rec('c', 'sending')], lostRequestsOf);
    expect(asked).toHaveLength(1);
  });

  it('notes a lost request once by its id: a regroup of one already known and lifted adds nothing', async () => {
    const book = new DoubtBook();
    book.lost('q1', ['a', 'b']);
    book.lift(ids('a'));
    await book.regroup([rec('x', 'lost')], async () => new Map([['q1', ['a', 'b', 'x']]]));
    expect(book.isLost('b')).toBe(false);
    expect(book.isLost('x')).toBe(false);
  });

  it('forgets settled records, and a lost request once none of its records is in doubt', () => {
    const book = new DoubtBook();
    book.lost('q1', ['a', 'b']);
    book.lost('q2', ['c']);
    book.lift(ids('c'));
    expect(book.size).toBeGreaterThan(0);
    book.forget(['a']);
    expect(book.isLost('b')).toBe(true);
    book.forget(['b', 'c']);
    expect(book.size).toBe(0);
    expect(book.inDoubt(rec('c'))).toBe(false);
  });
});
