// Every hand-written server, in catalog order (alphabetical). Adding a server = one import and one entry here.
import type { ServerDefinition } from '../dsl.js';
import airtable from './airtable.js';
import arxiv from './arxiv.js';
import asana from './asana.js';
import aws from './aws.js';
import azure from './azure.js';
import bigquery from './bigquery.js';
import bitbucket from './bitbucket.js';
import braveSearch from './brave-search.js';
import cloudflare from './cloudflare.js';
import confluence from './confluence.js';
import datadog from './datadog.js';
import discord from './discord.js';
import docker from './docker.js';
import dropbox from './dropbox.js';
import elasticsearch from './elasticsearch.js';
import exa from './exa.js';
import fetch from './fetch.js';
import figma from './figma.js';
import gcp from './gcp.js';
import git from './git.js';
import github from './github.js';
import gitlab from './gitlab.js';
import gmail from './gmail.js';
import googleCalendar from './google-calendar.js';
import googleDrive from './google-drive.js';
import googleMaps from './google-maps.js';
import hubspot from './hubspot.js';
import jira from './jira.js';
import kubernetes from './kubernetes.js';
import linear from './linear.js';
import mongodb from './mongodb.js';
import mysql from './mysql.js';
import notion from './notion.js';
import outlook from './outlook.js';
import pagerduty from './pagerduty.js';
import playwright from './playwright.js';
import postgresPro from './postgres-pro.js';
import puppeteer from './puppeteer.js';
import redis from './redis.js';
import salesforce from './salesforce.js';
import sentry from './sentry.js';
import shopify from './shopify.js';
import slack from './slack.js';
import snowflake from './snowflake.js';
import spotify from './spotify.js';
import sqlite from './sqlite.js';
import stripe from './stripe.js';
import teams from './teams.js';
import time from './time.js';
import twilio from './twilio.js';
import weather from './weather.js';
import youtube from './youtube.js';
import zendesk from './zendesk.js';

export const handWrittenServers: readonly ServerDefinition[] = [
  airtable,
  arxiv,
  asana,
  aws,
  azure,
  bigquery,
  bitbucket,
  braveSearch,
  cloudflare,
  confluence,
  datadog,
  discord,
  docker,
  dropbox,
  elasticsearch,
  exa,
  fetch,
  figma,
  gcp,
  git,
  github,
  gitlab,
  gmail,
  googleCalendar,
  googleDrive,
  googleMaps,
  hubspot,
  jira,
  kubernetes,
  linear,
  mongodb,
  mysql,
  notion,
  outlook,
  pagerduty,
  playwright,
  postgresPro,
  puppeteer,
  redis,
  salesforce,
  sentry,
  shopify,
  slack,
  snowflake,
  spotify,
  sqlite,
  stripe,
  teams,
  time,
  twilio,
  weather,
  youtube,
  zendesk,
];
