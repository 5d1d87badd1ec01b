/**
 * report module.
 *
 * @module
 */
